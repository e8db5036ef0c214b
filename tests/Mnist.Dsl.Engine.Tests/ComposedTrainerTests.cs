using System;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Layers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// A network composed at run time from its definition (TrainerBlueprint.For, what an F# list trains on) against the
/// trainer the generator wrote for the same declaration: for every sample network in the registry, the same options
/// (seed, declared dropout, two threads) and the same batches, three steps compared bit for bit: loss,
/// log-probabilities, gradients, parameters, running statistics and num_batches_tracked. Both read EngineLowering and
/// build the same units, so nothing may differ, not even in the last bit.
/// </summary>
public sealed class ComposedTrainerTests
{
    private const int Steps = 3;

    public static TheoryData<string, SimdWidth> Networks()
    {
        var data = new TheoryData<string, SimdWidth>();
        foreach (var network in SampleNetworkCase.Networks) data.Add(network, SimdWidths.Best());
        // The scalar width too, for the first sample: the vector width is chosen after composition, on both sides alike.
        data.Add(SampleNetworkCase.Networks.First(), SimdWidth.Scalar);
        return data;
    }

    [Theory]
    [MemberData(nameof(Networks))]
    public void A_network_composed_from_its_definition_trains_to_the_generated_trainers_bits(string network, SimdWidth width)
    {
        var registered = SampleNetworkCase.Registry.Find(network);
        TrainerOptions Options() => new(SampleNetworkCase.Batch, 2, SampleNetworkCase.Seed, new Sgd(0.05, 0.9), width);
        using var generated = registered.CreateTrainer(Options());
        using var composed = TrainerBlueprint.For(registered.Definition).Create(Options());

        Assert.Equal(generated.Layout.Entries, composed.Layout.Entries);
        Assert.Equal(generated.BufferNames, composed.BufferNames);
        AssertSameBits(generated.Parameters, composed.Parameters, $"{network}: initial parameters");
        for (int step = 1; step <= Steps; step++)
        {
            // Another batch each step (the pool's images shifted), so that the steps do not repeat one gradient.
            var images = SampleNetworkCase.Images.Select((v, i) => v * step + 0.01f * (i % 7)).ToArray();
            float lossGenerated = generated.Step(images, SampleNetworkCase.Labels);
            float lossComposed = composed.Step(images, SampleNetworkCase.Labels);
            string at = $"{network}, step {step}";
            Assert.Equal(BitConverter.SingleToInt32Bits(lossGenerated), BitConverter.SingleToInt32Bits(lossComposed));
            AssertSameBits(generated.LogProbabilities, composed.LogProbabilities, $"{at}: log-probabilities");
            AssertSameBits(generated.Gradients, composed.Gradients, $"{at}: gradients");
            AssertSameBits(generated.Parameters, composed.Parameters, $"{at}: parameters");
            foreach (var buffer in generated.BufferNames) AssertSameBits(generated.Buffer(buffer), composed.Buffer(buffer), $"{at}: {buffer}");
            Assert.Equal(generated.BatchesTracked, composed.BatchesTracked);
        }
        generated.Evaluate(SampleNetworkCase.Images);
        composed.Evaluate(SampleNetworkCase.Images);
        AssertSameBits(generated.LogProbabilities, composed.LogProbabilities, $"{network}: evaluation");
    }

    [Fact]
    public void A_network_the_engine_cannot_train_is_refused_with_the_generators_reason()
    {
        var wide = new NetworkDefinition("WidePool", 1, 28, 28, [new Conv2d(10, 3), new MaxPool2d(17), new GlobalAvgPool2d(), new Linear(10), new LogSoftmax()],
            requires: RequiredLayers.None);
        var refused = Assert.Throws<NotSupportedException>(() => TrainerBlueprint.For(wide));
        Assert.StartsWith("WidePool's layer 2 is MaxPool2d(17): the engine's max pooling handles windows of up to 256 taps", refused.Message);
    }

    [Fact]
    public void A_definition_whose_shapes_do_not_work_is_refused_with_the_analyzers_message()
    {
        var broken = new NetworkDefinition("Broken", 1, 28, 28, [new Conv2d(8, 3), new Linear(10)], requires: RequiredLayers.None);
        var refused = Assert.Throws<NotSupportedException>(() => TrainerBlueprint.For(broken));
        Assert.Contains("Linear (layer 2 of Broken) gets the map", refused.Message);
    }

    private static void AssertSameBits(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, not {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}: value {i} is {actual[i]:R}, not {expected[i]:R}");
    }
}
