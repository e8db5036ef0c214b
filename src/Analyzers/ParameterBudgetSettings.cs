using System.Globalization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Analyzers;

/// <summary>
/// Where a network's parameter budget comes from, most specific first: the [Network] attribute's
/// ParameterBudget; <c>mnist_dsl.parameter_budget</c> in .editorconfig for the file; the MSBuild property
/// <c>MnistDslParameterBudget</c> (made visible to the compiler by the package's build props); 20,000.
/// </summary>
internal static class ParameterBudgetSettings
{
    public const string EditorConfigKey = "mnist_dsl.parameter_budget";
    public const string MsBuildKey = "build_property.MnistDslParameterBudget";

    public static int Resolve(int declared, SyntaxTree? tree, AnalyzerConfigOptionsProvider options)
    {
        if (declared > 0) return declared;
        if (tree is not null && TryParse(options.GetOptions(tree), EditorConfigKey, out var fromEditorConfig)) return fromEditorConfig;
        if (TryParse(options.GlobalOptions, EditorConfigKey, out var fromGlobalConfig)) return fromGlobalConfig;
        if (TryParse(options.GlobalOptions, MsBuildKey, out var fromMsBuild)) return fromMsBuild;
        return NetworkDefinition.DefaultParameterBudget;
    }

    private static bool TryParse(AnalyzerConfigOptions options, string key, out int value)
    {
        value = 0;
        return options.TryGetValue(key, out var text)
            && int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out value)
            && value > 0;
    }
}
