using Mnist.Dsl.Testing;
using System.Linq;
using Microsoft.CodeAnalysis;
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
        Assert.Empty(result.CompilerWarnings);
        Assert.Empty(result.AnalyzerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => d.ToString()));
    }

    /// <summary>Found by the compile-time = run-time property: a stateless network's comment read "State-dict keys: ."</summary>
    [Fact]
    public void A_network_without_parameters_or_buffers_says_it_has_no_state_dict_keys()
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n[Network(1, 4, 4, Requires = RequiredLayers.None, Classes = 1)]\n[ReLU, GlobalAvgPool2d, Flatten(Functional = true)]\npublic partial class Stateless;");

        Assert.Contains("/// <para>State-dict keys: none (no layer has parameters or buffers).</para>\n", result.Source("Stateless").ReplaceLineEndings("\n"));
    }

    /// <summary>
    /// The snapshots compile against the real TorchSharp package (CompilationFactory references its TorchSharp.dll):
    /// the generated fields, base class and layer constructors bind to TorchSharp's own types, not to look-alikes.
    /// </summary>
    [Fact]
    public void The_generated_module_binds_to_TorchSharps_own_types()
    {
        var result = GeneratorHarness.Run(SampleNetworks.Source("Seed004Net"));
        var network = result.Output.GetTypeByMetadataName("Mnist.Models.Seed004Net")!;

        Assert.Equal("TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>", network.BaseType!.ToDisplayString());
        Assert.Equal("TorchSharp", network.BaseType.ContainingAssembly.Name);
        var fields = network.GetMembers().OfType<IFieldSymbol>().Where(f => !f.IsStatic && !f.IsConst).ToArray();
        Assert.NotEmpty(fields);
        Assert.All(fields, f => Assert.Equal("TorchSharp", f.Type.ContainingAssembly.Name));
        Assert.Contains(fields, f => f.Type.ToDisplayString() == "TorchSharp.Modules.Conv2d");
    }
}
