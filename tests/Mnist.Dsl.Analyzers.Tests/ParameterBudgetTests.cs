using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace Mnist.Dsl.Analyzers.Tests;

/// <summary>
/// Where a network's parameter budget comes from: ParameterBudget on [Network], then the file's .editorconfig
/// (mnist_dsl.parameter_budget), then the project's MSBuild property (MnistDslParameterBudget, which the
/// compiler sees as build_property.MnistDslParameterBudget), then 20,000. A budget is exclusive: a network must
/// have fewer parameters than it. Every test uses the same network of
/// exactly 21,475 parameters, so a budget's value can be read back from the diagnostic's message.
/// </summary>
public class ParameterBudgetTests
{
    private const string EditorConfigKey = "mnist_dsl.parameter_budget";
    private const string MsBuildKey = "build_property.MnistDslParameterBudget";
    private const long Parameters = 21_475;

    /// <summary>Flatten → Linear(27) → Linear(10) on 28×28: 784·27 + 27 + 27·10 + 10 = 21,475 parameters, and no other rule broken.</summary>
    private static string Wide(string networkArguments = "") => $$"""
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.None{{networkArguments}})]
        [Flatten, Linear(27), Linear(10)]
        public partial class Wide;
        """;

    /// <summary>The budget the analyzer applied, read from its MNIST0001 message; null when the network kept it.</summary>
    private static int? AppliedBudget(string source, IReadOnlyDictionary<string, string>? global = null, IReadOnlyDictionary<string, string>? editorConfig = null)
    {
        var options = new GeneratorHarness.TestOptions(global ?? new Dictionary<string, string>(), editorConfig ?? new Dictionary<string, string>());
        var diagnostics = GeneratorHarness.Run(CompilationFactory.Create(source), options).AnalyzerDiagnostics;
        Assert.All(diagnostics, d => Assert.Equal("MNIST0001", d.Id));
        if (diagnostics.IsEmpty) return null;
        var message = Assert.Single(diagnostics).GetMessage(CultureInfo.InvariantCulture);
        var budget = int.Parse(message[(message.LastIndexOf(' ') + 1)..], NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        Assert.Equal(string.Format(CultureInfo.InvariantCulture, "Wide has {0:N0} parameters, {1:N0} too many for its budget of fewer than {2:N0}", Parameters, Parameters - budget + 1, budget), message);
        return budget;
    }

    private static Dictionary<string, string> Option(string key, string value) => new() { [key] = value };

    [Fact]
    public void Without_any_setting_the_budget_is_20000()
    {
        Assert.Equal(20_000, AppliedBudget(Wide()));
    }

    /// <summary>
    /// The assignment's "fewer than 20,000 parameters": the budget is an exclusive bound. One Linear without bias over
    /// a 1×N input has exactly N parameters, so the boundary is tested to the parameter.
    /// </summary>
    [Theory]
    [InlineData(19_999, false)]
    [InlineData(20_000, true)]
    public void The_default_budget_is_exclusive_19999_passes_and_20000_fails(int parameters, bool fails)
    {
        var source = $$"""
            using Mnist.Dsl;

            [Network(1, 1, {{parameters}}, Classes = 1, Requires = RequiredLayers.None)]
            [Flatten, Linear(1, Bias = false)]
            public partial class Exact;
            """;

        var diagnostics = GeneratorHarness.Run(source).AnalyzerDiagnostics;

        if (!fails) Assert.Empty(diagnostics);
        else Assert.Equal(
            string.Format(CultureInfo.InvariantCulture, "Exact has {0:N0} parameters, 1 too many for its budget of fewer than 20,000", parameters),
            Assert.Single(diagnostics, d => d.Id == "MNIST0001").GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(21_474, 21_474)]
    [InlineData(21_475, 21_475)] // the budget is exclusive: exactly at it breaks it
    [InlineData(21_476, null)]
    [InlineData(30_000, null)]
    [InlineData(5_000, 5_000)]
    public void A_network_budget_set_on_the_attribute_applies(int declared, int? expected)
    {
        Assert.Equal(expected, AppliedBudget(Wide($", ParameterBudget = {declared}")));
    }

    [Theory]
    [InlineData("30000", null)]
    [InlineData("21000", 21_000)]
    [InlineData("21_000", 21_000)]
    [InlineData("21,000", 21_000)]
    public void A_project_budget_set_by_the_MSBuild_property_applies(string value, int? expected)
    {
        Assert.Equal(expected, AppliedBudget(Wide(), global: Option(MsBuildKey, value)));
    }

    [Theory]
    [InlineData("30000", null)]
    [InlineData("21000", 21_000)]
    public void A_budget_set_in_editorconfig_applies_to_the_files_it_covers(string value, int? expected)
    {
        Assert.Equal(expected, AppliedBudget(Wide(), editorConfig: Option(EditorConfigKey, value)));
    }

    [Fact]
    public void The_attribute_wins_over_editorconfig_and_MSBuild()
    {
        Assert.Equal(21_000, AppliedBudget(Wide(", ParameterBudget = 21_000"), global: Option(MsBuildKey, "30000"), editorConfig: Option(EditorConfigKey, "30000")));
        Assert.Null(AppliedBudget(Wide(", ParameterBudget = 30_000"), global: Option(MsBuildKey, "21000"), editorConfig: Option(EditorConfigKey, "21000")));
    }

    [Fact]
    public void Editorconfig_wins_over_MSBuild()
    {
        Assert.Equal(21_000, AppliedBudget(Wide(), global: Option(MsBuildKey, "30000"), editorConfig: Option(EditorConfigKey, "21000")));
        Assert.Null(AppliedBudget(Wide(), global: Option(MsBuildKey, "21000"), editorConfig: Option(EditorConfigKey, "30000")));
    }

    [Fact]
    public void MSBuild_wins_over_the_default()
    {
        Assert.Null(AppliedBudget(Wide(), global: Option(MsBuildKey, "30000")));
        Assert.Equal(20_500, AppliedBudget(Wide(), global: Option(MsBuildKey, "20500")));
    }

    /// <summary>A .globalconfig (is_global = true) that sets the .editorconfig key: between .editorconfig and MSBuild.</summary>
    [Fact]
    public void A_global_analyzer_config_setting_sits_between_editorconfig_and_MSBuild()
    {
        var global = new Dictionary<string, string> { [EditorConfigKey] = "21000", [MsBuildKey] = "30000" };

        Assert.Equal(21_000, AppliedBudget(Wide(), global: global));
        Assert.Null(AppliedBudget(Wide(), global: global, editorConfig: Option(EditorConfigKey, "30000")));
    }

    /// <summary>A zero, negative or unreadable setting is no setting: the next source down applies.</summary>
    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("lots")]
    [InlineData("")]
    public void A_setting_that_is_not_a_positive_number_falls_through_to_the_next_source(string value)
    {
        Assert.Equal(21_000, AppliedBudget(Wide(), global: Option(MsBuildKey, "21000"), editorConfig: Option(EditorConfigKey, value)));
        Assert.Equal(20_000, AppliedBudget(Wide(), global: Option(MsBuildKey, value)));
        Assert.Equal(21_000, AppliedBudget(Wide($", ParameterBudget = {(value.StartsWith('-') ? value : "0")}"), global: Option(MsBuildKey, "21000")));
    }

    [Fact]
    public void A_budget_that_comes_from_the_project_is_reported_at_the_Network_attribute()
    {
        var source = Wide();
        var options = new GeneratorHarness.TestOptions(Option(MsBuildKey, "21000"), new Dictionary<string, string>());

        var diagnostic = Assert.Single(GeneratorHarness.Run(CompilationFactory.Create(source), options).AnalyzerDiagnostics);

        Assert.Equal("Network(1, 28, 28, Requires = RequiredLayers.None)", diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan));
    }

    /// <summary>.editorconfig is per file: two networks in two folders with different budgets each get their own.</summary>
    [Fact]
    public void Each_file_gets_the_budget_of_its_own_editorconfig_section()
    {
        var (compilation, options, strict) = TwoFolders(strictBudget: 21_000, lenientBudget: 30_000);

        var diagnostics = GeneratorHarness.Run(compilation, options).AnalyzerDiagnostics;

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("MNIST0001", diagnostic.Id);
        Assert.Equal(strict, diagnostic.Location.SourceTree);
        Assert.Equal("StrictNet has 21,475 parameters, 476 too many for its budget of fewer than 21,000", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The MSBuild half of the contract: the package's props make the property visible to the compiler, which
    /// writes it into its generated global config as build_property.NAME; the analyzer reads that key.
    /// </summary>
    [Fact]
    public void The_MSBuild_property_reaches_the_analyzer_through_the_generated_global_config()
    {
        var props = XDocument.Load(Path.Combine(SampleNetworks.Folder(), "..", "..", "Dsl", "build", "Mnist.Dsl.props"));
        var visible = props.Descendants("CompilerVisibleProperty").Select(e => (string?)e.Attribute("Include")).ToArray();
        Assert.Contains("MnistDslParameterBudget", visible);

        // What the SDK writes for <MnistDslParameterBudget>21000</MnistDslParameterBudget> (GeneratedMSBuildEditorConfig.editorconfig).
        const string generatedGlobalConfig = """
            is_global = true
            build_property.MnistDslParameterBudget = 21000
            """;
        var configs = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(generatedGlobalConfig, "/obj/Networks.GeneratedMSBuildEditorConfig.editorconfig")));

        var compilation = CompilationFactory.Create(Array.Empty<string>()).AddSyntaxTrees(CSharpTree(Wide(), "/src/Wide.cs"));
        var diagnostic = Assert.Single(GeneratorHarness.Run(compilation, new PerPathOptions(configs)).AnalyzerDiagnostics);

        Assert.Equal("Wide has 21,475 parameters, 476 too many for its budget of fewer than 21,000", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    /// <summary>The generated Definition.ParameterBudget of Wide, with the given settings, read from the compiled type.</summary>
    private static int GeneratedBudget(string source, IReadOnlyDictionary<string, string>? global = null, IReadOnlyDictionary<string, string>? editorConfig = null)
    {
        var options = new GeneratorHarness.TestOptions(global ?? new Dictionary<string, string>(), editorConfig ?? new Dictionary<string, string>());
        var result = GeneratorHarness.Run(CompilationFactory.Create(source), options);
        var definition = (Analysis.NetworkDefinition)LoadedCompilation.Load(result.Output).GetType("Wide")!.GetProperty("Definition")!.GetValue(null)!;
        return definition.ParameterBudget;
    }

    /// <summary>
    /// The generated Definition carries the budget the analyzer enforces, wherever it is set, so code that reads it
    /// (a trainer's report, the registry) agrees with the build. Summary is computed from that Definition.
    /// </summary>
    [Fact]
    public void The_generated_Definition_has_the_budget_the_analyzer_applies()
    {
        Assert.Equal(20_000, GeneratedBudget(Wide()));
        Assert.Equal(30_000, GeneratedBudget(Wide(", ParameterBudget = 30_000"), global: Option(MsBuildKey, "40000")));
        Assert.Equal(40_000, GeneratedBudget(Wide(), global: Option(MsBuildKey, "40000")));
        Assert.Equal(35_000, GeneratedBudget(Wide(), global: Option(EditorConfigKey, "35000")));
        Assert.Equal(25_000, GeneratedBudget(Wide(), global: Option(MsBuildKey, "40000"), editorConfig: Option(EditorConfigKey, "25_000")));
    }

    /// <summary>Per file, as the analyzer: two networks under two .editorconfig sections get two budgets in their Definitions.</summary>
    [Fact]
    public void Each_generated_Definition_has_the_budget_of_its_own_editorconfig_section()
    {
        var (compilation, options, _) = TwoFolders(strictBudget: 21_500, lenientBudget: 30_000);

        var result = GeneratorHarness.Run(compilation, options);

        Assert.Empty(result.AnalyzerDiagnostics);
        var assembly = LoadedCompilation.Load(result.Output);
        int Budget(string type) => ((Analysis.NetworkDefinition)assembly.GetType(type)!.GetProperty("Definition")!.GetValue(null)!).ParameterBudget;
        Assert.Equal(21_500, Budget("StrictNet"));
        Assert.Equal(30_000, Budget("LenientNet"));
        Assert.Equal(new[] { 30_000, 21_500 }, Registry.NetworkRegistry.Of(assembly).Select(n => n.Definition.ParameterBudget));
    }

    /// <summary>Wide as StrictNet in /src/Strict and as LenientNet in /src/Lenient, with an .editorconfig section (and budget) for each folder.</summary>
    private static (CSharpCompilation Compilation, AnalyzerConfigOptionsProvider Options, SyntaxTree Strict) TwoFolders(int strictBudget, int lenientBudget)
    {
        var editorConfig = $"""
            root = true

            [/Strict/*.cs]
            mnist_dsl.parameter_budget = {strictBudget}

            [/Lenient/*.cs]
            mnist_dsl.parameter_budget = {lenientBudget}
            """;
        var configs = AnalyzerConfigSet.Create(ImmutableArray.Create(AnalyzerConfig.Parse(editorConfig, "/src/.editorconfig")));
        var strict = CSharpTree(Wide().Replace("class Wide", "class StrictNet"), "/src/Strict/StrictNet.cs");
        var lenient = CSharpTree(Wide().Replace("class Wide", "class LenientNet"), "/src/Lenient/LenientNet.cs");
        return (CompilationFactory.Create(Array.Empty<string>()).AddSyntaxTrees(strict, lenient), new PerPathOptions(configs), strict);
    }

    private static SyntaxTree CSharpTree(string source, string path) =>
        Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(source, CompilationFactory.ParseOptions, path);

    /// <summary>Options as the compiler computes them from real .editorconfig/global config files, by each tree's path.</summary>
    private sealed class PerPathOptions(AnalyzerConfigSet configs) : AnalyzerConfigOptionsProvider
    {
        public override AnalyzerConfigOptions GlobalOptions { get; } = new Options(configs.GlobalConfigOptions.AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => new Options(configs.GetOptionsForSourcePath(tree.FilePath).AnalyzerOptions);

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => new Options(configs.GetOptionsForSourcePath(textFile.Path).AnalyzerOptions);

        private sealed class Options(ImmutableDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
