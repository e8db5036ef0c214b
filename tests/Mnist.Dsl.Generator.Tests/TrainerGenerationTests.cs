using Mnist.Dsl.Testing;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The trainer the generator emits on the plain-C# engine (a nested Trainer class): reviewed as snapshots and compiling
/// cleanly when the compilation references Mnist.Dsl.Engine, absent when it does not, and the registry's factory (or
/// its reason for having none). Its numbers are tested against PyTorch in tests/Mnist.Dsl.Engine.Tests.
/// </summary>
public class TrainerGenerationTests
{
    private static readonly MetadataReference Engine = MetadataReference.CreateFromFile(typeof(Mnist.Dsl.Engine.Composition.TrainerBlueprint).Assembly.Location);

    private static GeneratorHarness.Result Run(string source, bool withEngine = true) =>
        GeneratorHarness.Run(CompilationFactory.Create(new[] { source }, withTorch: true, extra: withEngine ? new[] { Engine } : null));

    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void Trainer_code_for_each_sample_matches_its_snapshot_and_compiles_without_diagnostics(string name)
    {
        var result = Run(SampleNetworks.Source(name));

        Snapshot.Verify(name + ".Trainer", result.Generated.Single(g => g.HintName.EndsWith("." + name + ".Trainer.g.cs")).SourceText.ToString());
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerWarnings);
    }

    [Fact]
    public void Without_the_engine_no_trainer_is_emitted_and_the_registry_passes_no_factory()
    {
        var result = Run(SampleNetworks.Source("DefaultNet"), withEngine: false);

        Assert.DoesNotContain(result.Generated, g => g.HintName.EndsWith(".Trainer.g.cs"));
        Assert.DoesNotContain(".Trainer.Create", result.RegistrySource);
    }

    [Fact]
    public void With_the_engine_the_registry_passes_the_trainer_factory()
    {
        var result = Run(SampleNetworks.Source("DefaultNet"));

        Assert.Contains("global::Mnist.Dsl.Registry.RegisteredNetwork.Create<global::Mnist.Dsl.Engine.Trainers.TrainerOptions, global::Mnist.Dsl.Engine.Trainers.ITrainer>(", result.RegistrySource);
        Assert.Contains("createTrainer: global::Mnist.Models.DefaultNet.Trainer.Create)", result.RegistrySource);
        Assert.Empty(result.CompilerWarnings);
    }

    /// <summary>
    /// The registry of every sample and of a network the engine cannot train, in one compilation with the engine: each
    /// entry a RegisteredNetwork.Create call with named properties, the trainer factory typed (no object, no cast), or
    /// the reason there is none.
    /// </summary>
    [Fact]
    public void The_registry_matches_its_snapshot_and_compiles_without_diagnostics()
    {
        var sources = SampleNetworks.All().Select(n => n.Source).Append(WidePool);
        var result = GeneratorHarness.Run(CompilationFactory.Create(sources, withTorch: true, extra: new[] { Engine }));

        Snapshot.Verify("Registry", result.RegistrySource);
        Assert.Empty(result.CompilerWarnings);
        Assert.DoesNotContain("object", result.RegistrySource);
    }

    private const string WidePool = """
        using Mnist.Dsl;
        namespace Nets;
        [Network(1, 28, 28, Requires = RequiredLayers.None)]
        [Conv2d(10, 3), MaxPool2d(17), GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class WidePool;
        """;

    [Fact]
    public void A_network_the_engine_cannot_train_gets_no_trainer_and_the_registry_says_why()
    {
        // A 17x17 max-pooling window has 289 taps; the engine keeps the winning tap in a byte.
        var result = Run("""
            using Mnist.Dsl;
            namespace Nets;
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(10, 3), MaxPool2d(17), GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class WidePool;
            """);

        Assert.DoesNotContain(result.Generated, g => g.HintName.EndsWith(".Trainer.g.cs"));
        Assert.Contains("WidePool's layer 2 is MaxPool2d(17): the engine's max pooling handles windows of up to 256 taps", result.RegistrySource);
        Assert.Empty(result.CompilerWarnings);
    }

    [Fact]
    public void A_biased_block_fuses_and_layers_that_do_not_make_a_block_get_units_of_their_own()
    {
        // A biased block with Dropout2d, a strided convolution with ReLU but no BatchNorm after it, AvgPool2d, Flatten, BatchNorm1d and a logits head (cross-entropy).
        var result = Run("""
            using Mnist.Dsl;
            namespace Nets;
            [Network(1, 12, 12, Requires = RequiredLayers.None)]
            [Conv2d(4, 3, Padding = 1), ReLU, BatchNorm2d(Momentum = 0.2), Dropout2d(0.1)]
            [Conv2d(6, 3, Stride = 2, Bias = false), ReLU, AvgPool2d(2), Flatten, Linear(12), BatchNorm1d, ReLU, Dropout(0.2), Linear(10)]
            public partial class Mixed;
            """);

        var trainer = result.Generated.Single(g => g.HintName.EndsWith(".Mixed.Trainer.g.cs")).SourceText.ToString();
        // The biased block with its Dropout2d is one fused unit, its bias and channel dropout written where they differ from the samples' block.
        Assert.Contains(""".ConvReluBatchNorm2d("conv1", "bn1", inChannels: 1, outChannels: 4, kernel: 3, padding: 1, momentum: 0.2, eps: 1E-05, dropout: 0.1, bias: true, channelDropout: true)""", trainer);
        Assert.Contains(""".Conv2d("conv2", inChannels: 4, outChannels: 6, kernel: 3, stride: 2, padding: 0, bias: false)""", trainer);
        Assert.Contains(".AvgPool2d(2, 2)", trainer);
        Assert.Contains(""".Linear("fc1", 24, 12, true)""", trainer);
        Assert.Contains(""".BatchNorm1d("bn2", 0.1, 1E-05)""", trainer);
        Assert.Contains(".CrossEntropyLoss();", trainer);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(trainer, "ConvReluBatchNorm2d"));
        Assert.Empty(result.CompilerWarnings);
    }
}
