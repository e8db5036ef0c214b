using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Declarations;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// The parameter budgets the project sets, read once per compilation as plain values: the project's (global config,
/// MSBuild, or 20,000) and each file whose .editorconfig section sets its own. Resolved for a network by
/// <see cref="ParameterBudgetSettings"/>, exactly as the analyzer resolves it, so the generated
/// Definition.ParameterBudget is the budget the build enforces.
/// </summary>
public sealed record ParameterBudgets(int Project, EquatableArray<FileBudget> Files)
{
    public static ParameterBudgets Read(AnalyzerConfigOptionsProvider options, Compilation compilation) =>
        new(ParameterBudgetSettings.ForProject(options), new EquatableArray<FileBudget>(
            compilation.SyntaxTrees
                .Select(tree => (tree.FilePath, Budget: ParameterBudgetSettings.ForFile(options.GetOptions(tree))))
                .Where(file => file.Budget is not null)
                .Select(file => new FileBudget(file.FilePath, file.Budget!.Value))));

    /// <summary>The budget of a network declared in <paramref name="filePath"/> with <paramref name="declared"/> (0: none).</summary>
    public int For(string filePath, int declared) =>
        ParameterBudgetSettings.Resolve(declared, Files.FirstOrDefault(f => f.FilePath == filePath)?.Budget, Project);
}

/// <summary>A file whose .editorconfig section sets mnist_dsl.parameter_budget.</summary>
public sealed record FileBudget(string FilePath, int Budget);
