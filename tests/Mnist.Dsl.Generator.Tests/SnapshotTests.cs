using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>The code generated for every sample network, reviewed as snapshots, and compiling cleanly.</summary>
public class SnapshotTests
{
    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void Generated_code_for_each_sample_matches_its_snapshot_and_compiles_without_diagnostics(string name)
    {
        var result = GeneratorHarness.Run(SampleNetworks.Source(name));

        Snapshot.Verify(name, result.Source(name));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()));
        Assert.Empty(result.AnalyzerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
    }

    /// <summary>Found by the compile-time = run-time property: a stateless network's comment read "State-dict keys: ."</summary>
    [Fact]
    public void A_network_without_parameters_or_buffers_says_it_has_no_state_dict_keys()
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n[Network(1, 4, 4, Requires = RequiredLayers.None, Classes = 1)]\n[ReLU, GlobalAvgPool2d, Flatten(Functional = true)]\npublic partial class Stateless;");

        Assert.Contains("/// State-dict keys: none (no layer has parameters or buffers).\n", result.Source("Stateless").ReplaceLineEndings("\n"));
    }

    /// <summary>
    /// With the real TorchSharp referenced instead (a stub of its namespaces here, since the package cannot be
    /// restored), only the using directives change.
    /// </summary>
    [Fact]
    public void TorchSharp_flavour_differs_only_in_its_using_directives()
    {
        const string torchSharpStub = """
            namespace TorchSharp
            {
                public static partial class torch
                {
                    public class Tensor { }
                    public static partial class nn { public abstract class Module<T, TResult> { protected Module(string name) { } public abstract TResult forward(T input); } }
                }
            }
            """;
        var source = SampleNetworks.Source("Seed004Net");
        var mnistTorch = GeneratorHarness.Run(source).Source("Seed004Net");
        var torchSharp = GeneratorHarness.Run(CompilationFactory.Create(new[] { source, torchSharpStub }, withTorch: false)).Source("Seed004Net");

        Snapshot.Verify("Seed004Net.TorchSharp", torchSharp);
        var expected = mnistTorch.Replace("global::Mnist.Torch.", "global::TorchSharp.");
        Assert.Equal(expected, torchSharp);
        var differing = mnistTorch.Split('\n').Zip(torchSharp.Split('\n')).Where(p => p.First != p.Second).ToArray();
        Assert.Equal(3, differing.Length);
        Assert.All(differing, p => Assert.StartsWith("using ", p.First));
    }
}
