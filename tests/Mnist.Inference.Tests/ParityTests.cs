using System;
using System.IO;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Inference.Tests;

/// <summary>
/// For every sample network, the generated inference class gives the libtorch module's eval-mode outputs to 1e-4
/// on the whole MNIST test set, and the same predictions and accuracy. The weights are a seeded initialisation with
/// BatchNorm's statistics and affine parameters randomised, saved by Mnist.Torch as the trainer saves them.
/// </summary>
[Collection(Serial.Name)]
public class ParityTests(ITestOutputHelper output)
{
    public const double Tolerance = 1e-4;

    [Theory]
    [MemberData(nameof(SampleNetwork.Names), MemberType = typeof(SampleNetwork))]
    public void Inference_class_matches_the_libtorch_module_on_the_MNIST_test_set(string name)
    {
        var network = SampleNetwork.Named(name);
        using var weights = new TemporaryFile(".safetensors");
        float[] expected;
        using (var module = network.CreateRandomised(seed: 7))
        {
            module.save(weights.Path);
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
