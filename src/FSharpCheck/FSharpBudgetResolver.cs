using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Mnist.Dsl.FSharpCheck;

/// <summary>The budgets of an F# project as the C# analyzer would resolve them, to be kept in its assembly's metadata.</summary>
/// <param name="Project">For networks whose file sets none: a global analyzer config's key, else
/// &lt;MnistDslParameterBudget&gt;; null for 20,000.</param>
/// <param name="Networks">Network type name → the budget .editorconfig sets for the file that declares it (only where
/// it sets one other than <paramref name="Project"/>).</param>
/// <param name="Conflicts">Networks of one type name in files with different budgets, which one metadata entry per name cannot hold.</param>
public sealed record FSharpBudgets(int? Project, IReadOnlyDictionary<string, int> Networks, IReadOnlyList<BudgetConflict> Conflicts);

/// <summary>The second of two network types named <see cref="Name"/>, whose file's budget differs from the first's.</summary>
public sealed record BudgetConflict(string Name, string File, int Line, int Column, string Message);

/// <summary>
/// Resolves the parameter budgets of an F# project's networks from the sources the C# analyzer reads
/// (ParameterBudgetSettings): <c>mnist_dsl.parameter_budget</c> for the file in .editorconfig, then the same key in a
/// global analyzer config (.globalconfig), then &lt;MnistDslParameterBudget&gt;. The configuration files are read with
/// Roslyn's own AnalyzerConfigSet (sections, globs, root = true, global configs), so a file gets exactly the options the
/// C# compiler would give it. A value that is not a positive number is no setting, as for C#. Networks are found in the
/// sources by the declaration scan the check places its diagnostics with (<see cref="FSharpDeclarationScanner"/>).
/// </summary>
public static class FSharpBudgetResolver
{
    public const string EditorConfigKey = "mnist_dsl.parameter_budget";

    /// <param name="sources">The project's F# files (full paths).</param>
    /// <param name="configFiles">The .editorconfig and global config files that apply (found as the C# build finds them).</param>
    /// <param name="projectBudget">$(MnistDslParameterBudget), or null.</param>
    public static FSharpBudgets Resolve(IReadOnlyList<string> sources, IReadOnlyList<string> configFiles, string? projectBudget)
    {
        int? project = ParameterBudgetMetadata.TryParse(projectBudget, out var fromMsBuild) ? fromMsBuild : null;
        if (configFiles.Count == 0) return new FSharpBudgets(project, new Dictionary<string, int>(), []);

        var configs = AnalyzerConfigSet.Create(configFiles
            .Select(path => AnalyzerConfig.Parse(SourceText.From(File.ReadAllText(path)), Path.GetFullPath(path)))
            .ToImmutableArray());
        if (FromOptions(configs.GlobalConfigOptions.AnalyzerOptions) is { } fromGlobalConfig) project = fromGlobalConfig;

        var fileBudgets = sources.Select(path => Path.GetFullPath(path)).Distinct()
            .Select(path => (Path: path, Budget: FromOptions(configs.GetOptionsForSourcePath(path).AnalyzerOptions))).ToArray();
        var networks = new Dictionary<string, int>(StringComparer.Ordinal);
        var conflicts = new List<BudgetConflict>();
        if (fileBudgets.All(f => f.Budget is null)) return new FSharpBudgets(project, networks, conflicts);

        var first = new Dictionary<string, (string File, int? Budget)>(StringComparer.Ordinal);
        foreach (var (path, budget) in fileBudgets)
        {
            if (!File.Exists(path)) continue;
            foreach (var network in FSharpDeclarationScanner.Networks(path, File.ReadAllText(path)))
            {
                var name = network.Name;
                if (first.TryGetValue(name, out var earlier))
                {
                    if (earlier.Budget != budget)
                        conflicts.Add(new BudgetConflict(name, path, network.Line, network.Column,
                            $"{name} is declared as a network here and in {earlier.File}, and their .editorconfig give different parameter budgets " +
                                $"({Describe(budget)} here, {Describe(earlier.Budget)} there), "
                            + "but an F# assembly keeps one budget per network type name: rename one of them, " +
                                "or set ParameterBudget = N on their [<Network>]"));
                    continue;
                }
                first[name] = (path, budget);
                // Roslyn gives a file the global config's keys too; an entry that says what the project's says is left out.
                if (budget is { } value && value != project) networks[name] = value;
            }
        }
        return new FSharpBudgets(project, networks, conflicts);
    }

    private static int? FromOptions(ImmutableDictionary<string, string> options) =>
        options.TryGetValue(EditorConfigKey, out var text) && ParameterBudgetMetadata.TryParse(text, out var value) ? value : null;

    private static string Describe(int? budget) =>
        budget is { } value ? value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : "none";
}
