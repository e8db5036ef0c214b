using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Declarations;

/// <summary>
/// Where a network's parameter budget comes from, most specific first: the [Network] attribute's
/// ParameterBudget; <c>mnist_dsl.parameter_budget</c> in .editorconfig for the file; the MSBuild property
/// <c>MnistDslParameterBudget</c> (made visible to the compiler by the package's build props); 20,000.
/// The one implementation: the analyzer and the code fixes resolve a network's budget with
/// <see cref="Resolve(int, SyntaxTree?, AnalyzerConfigOptionsProvider)"/>, the generator (whose models hold no syntax
/// trees) with <see cref="ForFile"/> and <see cref="ForProject"/> read once and <see cref="Resolve(int, int?, int)"/>,
/// which is what the first calls too.
/// </summary>
internal static class ParameterBudgetSettings
{
    public const string EditorConfigKey = "mnist_dsl.parameter_budget";
    public const string MsBuildKey = "build_property.MnistDslParameterBudget";

    public static int Resolve(int declared, SyntaxTree? tree, AnalyzerConfigOptionsProvider options) =>
        Resolve(declared, tree is null ? null : ForFile(options.GetOptions(tree)), ForProject(options));

    /// <summary>The declared budget when there is one (a positive ParameterBudget), else the file's, else the project's.</summary>
    public static int Resolve(int declared, int? file, int project) => declared > 0 ? declared : file ?? project;

    /// <summary>mnist_dsl.parameter_budget as .editorconfig sets it for one file, if it does.</summary>
    public static int? ForFile(AnalyzerConfigOptions fileOptions) =>
        TryParse(fileOptions, EditorConfigKey, out var value) ? value : null;

    /// <summary>The budget of a network whose file and attribute set none: a global config's key, else MSBuild's, else 20,000.</summary>
    public static int ForProject(AnalyzerConfigOptionsProvider options)
    {
        if (TryParse(options.GlobalOptions, EditorConfigKey, out var fromGlobalConfig)) return fromGlobalConfig;
        if (TryParse(options.GlobalOptions, MsBuildKey, out var fromMsBuild)) return fromMsBuild;
        return NetworkDefinition.DefaultParameterBudget;
    }

    /// <summary>Digits with optional _ or , separators, positive; parsed as the F# budgets are (ParameterBudgetMetadata).</summary>
    private static bool TryParse(AnalyzerConfigOptions options, string key, out int value)
    {
        value = 0;
        return options.TryGetValue(key, out var text) && ParameterBudgetMetadata.TryParse(text, out value);
    }
}
