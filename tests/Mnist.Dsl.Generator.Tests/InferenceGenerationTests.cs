using Mnist.Dsl.Testing;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The inference classes the generator emits next to each network: reviewed as snapshots, compiling without any
/// torch runtime referenced, and stepping aside (not colliding) when the user already has a type of that name.
/// Their numbers are tested against TorchSharp's modules in tests/Mnist.Inference.Tests.
/// </summary>
public class InferenceGenerationTests
{
    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void Inference_code_for_each_sample_matches_its_snapshot_and_compiles_without_diagnostics(string name)
    {
        var result = GeneratorHarness.Run(SampleNetworks.Source(name));

        Snapshot.Verify(name + ".Inference", result.Source(name + "Inference"));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerWarnings);
    }

    /// <summary>
    /// A project that references only Mnist.Dsl (no TorchSharp) gets the network's constants and
    /// Summary and its inference class, and no module: nothing in it needs a torch runtime.
    /// </summary>
    [Fact]
    public void Without_a_torch_runtime_the_inference_class_is_emitted_and_the_module_is_not()
    {
        var result = GeneratorHarness.Run(CompilationFactory.Create(new[] { SampleNetworks.Source("DefaultNet") }, withTorch: false));

        Assert.Equal(new[] { "Mnist.Models.DefaultNet.g.cs", "Mnist.Models.DefaultNetInference.g.cs" }, result.Generated.Select(g => g.HintName).Order());
        Assert.Empty(result.CompilerWarnings);
        Assert.DoesNotContain("global::TorchSharp", result.Source("DefaultNetInference"));
        Assert.DoesNotContain("nn.Module", result.Source("DefaultNet"));
        var inference = result.Output.GetTypeByMetadataName("Mnist.Models.DefaultNetInference")!;
        Assert.Contains(inference.GetMembers("Load"), m => m is IMethodSymbol { IsStatic: true, DeclaredAccessibility: Accessibility.Public });
        Assert.Equal(Accessibility.Public, inference.DeclaredAccessibility);
    }

    /// <summary>
    /// The inference class calls Mnist.Dsl's inference kernels, which only its net8.0 build has: against the
    /// netstandard2.0 build (what a netstandard2.0 or .NET Framework project gets) it is not emitted, and the rest is.
    /// </summary>
    [Fact]
    public void Without_the_inference_kernels_no_inference_class_is_emitted()
    {
        var standard = System.IO.Path.Combine(RepoRoot(), "src", "Dsl", "bin", Configuration, "netstandard2.0", "Mnist.Dsl.dll");
        Assert.True(System.IO.File.Exists(standard), $"{standard} is missing: building this test project builds it (the generator references it)");
        var compilation = CompilationFactory.Create(new[] { SampleNetworks.Source("DefaultNet") }, withTorch: false)
            .ReplaceReference(CompilationFactory.Dsl, MetadataReference.CreateFromFile(standard));
        Assert.Null(compilation.GetTypeByMetadataName("Mnist.Dsl.Inference.InferenceKernels"));

        var result = GeneratorHarness.Run(compilation);

        Assert.Equal(new[] { "Mnist.Models.DefaultNet.g.cs" }, result.Generated.Select(g => g.HintName).Where(h => h != GeneratorHarness.RegistryHintName));
        Assert.Empty(result.CompilerWarnings);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string RepoRoot([System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(here)!, "..", ".."));

    [Fact]
    public void An_inference_class_shares_its_networks_accessibility()
    {
        var result = RunSmallNetwork("internal partial class Hidden;");

        Assert.Empty(result.CompilerWarnings);
        Assert.Equal(Accessibility.Internal, result.Output.GetTypeByMetadataName("Nets.HiddenInference")!.DeclaredAccessibility);
    }

    /// <summary>A type of the user's named like the inference class wins: the generator emits no inference class rather than a duplicate definition.</summary>
    [Fact]
    public void A_user_type_named_like_the_inference_class_suppresses_it_without_errors()
    {
        var result = RunSmallNetwork("public partial class Net;", "public class NetInference { }");

        Assert.Equal(new[] { "Nets.Net.g.cs" }, result.Generated.Select(g => g.HintName));
        Assert.Empty(result.CompilerWarnings);
    }

    /// <summary>The generator over a file in namespace Nets that declares a small valid network as <paramref name="declaration"/>, followed by <paramref name="rest"/>.</summary>
    private static GeneratorHarness.Result RunSmallNetwork(string declaration, string rest = "") => GeneratorHarness.Run($"""
        using Mnist.Dsl;
        namespace Nets;
        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), GlobalAvgPool2d, Linear(10)]
        {declaration}
        {rest}
        """);
}
