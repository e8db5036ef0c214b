using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Mnist.Dsl.Analysis;
using Xunit;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>
/// Three builds of one F# project (F# builds are slow: one project, several networks): with an over-budget network and
/// one without BatchNorm and one whose layer declares the wrong in-channels; with the over-budget network's fourth convolution narrowed and the other two removed; unchanged.
/// </summary>
public sealed class FSharpBuilds : IDisposable
{
    public const int WideChannels = 48;
    public const int NarrowChannels = 16;

    public FSharpBuilds()
    {
        Project.Write("Layouts.fs", Sources.Layouts);
        Project.Write("Budget.fs", Sources.OverBudgetSource(WideChannels));
        Project.Write("Missing.fs", Sources.NoBatchNormSource);
        Project.Write("Shapes.fs", Sources.MismatchSource);
        Project.Write("Empty.fs", Sources.NoLayersSource);
        foreach (var rule in RuleCase.All) Project.Write(rule.File, rule.Source);
        Project.WriteProject(Sources.ProjectBudget, ["Layouts.fs", "Budget.fs", "Missing.fs", "Shapes.fs", "Empty.fs", .. RuleCase.All.Select(c => c.File)]);
        Failing = Project.Build();
        FailingAssembly = Path.Combine(Project.Folder, "failing.dll");
        if (!File.Exists(Project.IntermediateAssembly)) throw new InvalidOperationException("The F# project did not compile:\n" + Failing.Output);
        File.Copy(Project.IntermediateAssembly, FailingAssembly);

        Project.Write("Budget.fs", Sources.OverBudgetSource(NarrowChannels));
        Project.WriteProject(Sources.ProjectBudget, "Layouts.fs", "Budget.fs");
        Fixed = Project.Build();
        Unchanged = Project.Build(verbosity: "n");
    }

    public FSharpProject Project { get; } = new();
    public (int ExitCode, string Output) Failing { get; }
    public string FailingAssembly { get; }
    public (int ExitCode, string Output) Fixed { get; }
    public (int ExitCode, string Output) Unchanged { get; }

    public void Dispose() => Project.Dispose();
}

public sealed class FSharpBuildCheckTests(FSharpBuilds builds) : IClassFixture<FSharpBuilds>
{
    [Fact]
    public void OverBudgetNetworkFailsTheBuildWithMnist0001AtItsNetworkAttributeUnderTheProjectsBudget()
    {
        var expected = NetworkAnalysis.Analyze(Sources.OverBudget(FSharpBuilds.WideChannels)).Violations;
        Assert.Equal([Rule.ParameterBudgetExceeded], expected.Select(v => v.Rule));
        // The project's budget (written 25,000 in the project file, as C# reads it) is the one in the message.
        Assert.Contains("fewer than 25,000", expected[0].Message, StringComparison.Ordinal);
        Assert.NotEqual(0, builds.Failing.ExitCode);

        var (line, column) = FSharpProject.PositionOf(Sources.OverBudgetSource(FSharpBuilds.WideChannels), "Network(");
        var reported = Assert.Single(FSharpProject.Diagnostics(builds.Failing.Output), d => d.File.EndsWith("Budget.fs", StringComparison.Ordinal));
        Assert.Equal(new BuildDiagnostic(Path.Combine(builds.Project.Folder, "Budget.fs"), line, column, "error", "MNIST0001", expected[0].Message), reported);
    }

    [Fact]
    public void NetworkWithoutBatchNormGetsMnist0002AndNothingTheAlgebraDoesNotSay()
    {
        var expected = NetworkAnalysis.Analyze(Sources.NoBatchNorm).Violations;
        Assert.Contains(expected, v => v.Rule == Rule.MissingBatchNorm);

        var reported = FSharpProject.Diagnostics(builds.Failing.Output).Where(d => d.File.EndsWith("Missing.fs", StringComparison.Ordinal)).ToArray();
        Assert.Equal(expected.Select(v => (v.Id, v.Message)).Order(), reported.Select(d => (d.Id, d.Message)).Order());
        var (line, column) = FSharpProject.PositionOf(Sources.NoBatchNormSource, "Network(");
        Assert.Contains(reported, d => d.Id == "MNIST0002" && d.Line == line && d.Column == column);
        // The valid networks of Layouts.fs have none.
        Assert.All(FSharpProject.Diagnostics(builds.Failing.Output), d => Assert.DoesNotContain("Layouts.fs", d.File, StringComparison.Ordinal));
    }

    [Fact]
    public void LayerAtFaultIsReportedAtItsArgumentInTheFSharpSource()
    {
        var expected = NetworkAnalysis.Analyze(Sources.Mismatch).Violations;
        Assert.Contains(expected, v => v.Rule == Rule.InputSizeMismatch && v.LayerIndex == 4);

        var reported = FSharpProject.Diagnostics(builds.Failing.Output).Where(d => d.File.EndsWith("Shapes.fs", StringComparison.Ordinal)).ToArray();
        Assert.Equal(expected.Select(v => (v.Id, v.Message)).Order(), reported.Select(d => (d.Id, d.Message)).Order());
        var (line, column) = FSharpProject.PositionOf(Sources.MismatchSource, "InChannels = 8");
        Assert.Contains(reported, d => d.Id == "MNIST0008" && d.Line == line && d.Column == column);
    }

    public static TheoryData<string> RuleCaseNames => new(RuleCase.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(RuleCaseNames))]
    public void EachRuleIsReportedAsTheAnalyzerReportsIt(string name)
    {
        var rule = RuleCase.All.Single(c => c.Name == name);
        var expected = NetworkAnalysis.Analyze(rule.Definition).Violations;
        Assert.Contains(expected, v => v.Rule == rule.Rule);

        var reported = FSharpProject.Diagnostics(builds.Failing.Output).Where(d => d.File.EndsWith(rule.File, StringComparison.Ordinal)).ToArray();
        // The C# analyzer's ID and severity for each violation, and the algebra's message, which both report.
        Assert.Equal(
            expected.Select(v => (Analyzers.DiagnosticDescriptors.For(v.Rule).Id, Severity(Analyzers.DiagnosticDescriptors.For(v.Rule).DefaultSeverity), v.Message)).Order(),
            reported.Select(d => (d.Id, d.Severity, d.Message)).Order());
        var (line, column) = FSharpProject.PositionOf(rule.Source, rule.Marker);
        Assert.Contains(reported, d => d.Id == Analyzers.DiagnosticDescriptors.For(rule.Rule).Id && d.Line == line && d.Column == column);
    }

    [Fact]
    public void NetworkWithoutLayersGetsTheAnalyzersMnist0015()
    {
        var reported = Assert.Single(FSharpProject.Diagnostics(builds.Failing.Output), d => d.File.EndsWith("Empty.fs", StringComparison.Ordinal));
        var descriptor = Analyzers.DiagnosticDescriptors.NoLayers;
        Assert.Equal((descriptor.Id, "error", string.Format(CultureInfo.InvariantCulture, descriptor.MessageFormat.ToString(CultureInfo.InvariantCulture), "Empty")),
            (reported.Id, reported.Severity, reported.Message));
        Assert.Equal(FSharpProject.PositionOf(Sources.NoLayersSource, "Network("), (reported.Line, reported.Column));
    }

    private static string Severity(Microsoft.CodeAnalysis.DiagnosticSeverity severity) =>
        severity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning ? "warning" : "error";

    [Fact]
    public void FSharpCompilerWritesLayerAttributesInSourceOrderInEveryLayout()
    {
        var networks = CompiledNetworkReader.Read(builds.FailingAssembly);
        foreach (var name in new[] { "PerLine", "Nested", "OneList" })
        {
            var network = Assert.Single(networks, n => n.Name == name);
            var definition = CompiledNetworkDefinition.From(network.Name, network.Network, network.Layers, NetworkDefinition.DefaultParameterBudget);
            Assert.NotNull(definition);
            Assert.Equal(Sources.DefaultNetLayers(), definition.Layers);
        }
        Assert.Equal(["Outer", "Inner"], networks.Single(n => n.Name == "Nested").EnclosingTypes);
    }

    [Fact]
    public void NarrowingOneConvolutionMakesTheBuildPassWithNoWarning()
    {
        Assert.Empty(NetworkAnalysis.Analyze(Sources.OverBudget(FSharpBuilds.NarrowChannels)).Violations);
        Assert.True(builds.Fixed.ExitCode == 0, builds.Fixed.Output);
        Assert.Empty(FSharpProject.Diagnostics(builds.Fixed.Output));
        Assert.Contains("0 Warning(s)", builds.Fixed.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void UnchangedAssemblyIsNotCheckedAgain()
    {
        Assert.True(builds.Unchanged.ExitCode == 0, builds.Unchanged.Output);
        Assert.Contains("Skipping target \"MnistDslCheckFSharpNetworks\" because all output files are up-to-date", builds.Unchanged.Output, StringComparison.Ordinal);
    }
}
