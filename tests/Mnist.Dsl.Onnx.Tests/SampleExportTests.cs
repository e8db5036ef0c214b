using System;
using System.Linq;
using Mnist.Dsl.Training.Export;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>
/// Every sample network's export, with initialised and with trained weights, in ONNX Runtime against the network's
/// generated inference class (which computes in plain C#, from the same safetensors file): the outputs of 1,000 real
/// test images within <see cref="Tolerance"/>, the same class for each, and the same accuracy on all 10,000.
/// </summary>
public class SampleExportTests(ITestOutputHelper output)
{
    /// <summary>
    /// Absolute, on log-probabilities (or logits). Both sides compute in float32 with other summation orders (ONNX
    /// Runtime's MLAS convolutions against the inference class's kernels); measured on these networks: see docs/onnx.md.
    /// </summary>
    public const double Tolerance = 1e-5;

    private const int Compared = 1000;

    [Theory]
    [MemberData(nameof(SampleWeights.NamesAndKinds), MemberType = typeof(SampleWeights))]
    public void Export_runs_in_onnx_runtime_as_the_inference_class(string name, WeightsKind kind)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var network = SampleWeights.Networks.Find(name);
        var weights = SampleWeights.Path(name, kind);
        var tWeights = clock.Elapsed.TotalSeconds;
        var model = network.ToOnnx(weights, SampleWeights.Networks);
        var inference = network.LoadInference(weights);
        var test = TestImages.TestSet;
        var input = network.Summary.Input;
        var classes = network.Summary.Output.Channels;

        using var onnx = new OnnxRun(model.Bytes);
        Assert.Equal(model.OutputName, onnx.OutputName);
        var fromOnnx = onnx.Predict(test.Images, 0, test.Count, input.Channels, input.Height, input.Width);
        var tOnnx = clock.Elapsed.TotalSeconds;
        var fromInference = new float[test.Count * classes];
        inference.PredictBatch(test.Images, fromInference, 2);
        var tInf = clock.Elapsed.TotalSeconds;
        output.WriteLine($"times {tWeights:F1} {tOnnx:F1} {tInf:F1}");
        double probable = 0;
        for (var i = 0; i < test.Count * classes; i++) if (fromInference[i] > -1) probable = Math.Max(probable, Math.Abs((double)fromOnnx[i] - fromInference[i]));
        output.WriteLine($"probable {probable:G3}");

        double largest = 0;
        var worst = -1;
        for (var i = 0; i < Compared * classes; i++)
        {
            var difference = Math.Abs((double)fromOnnx[i] - fromInference[i]);
            if (difference > largest) (largest, worst) = (difference, i);
        }
        var differentClasses = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromOnnx, i, classes) != ArgMax(fromInference, i, classes));
        var differentInFirst = Enumerable.Range(0, Compared).Count(i => ArgMax(fromOnnx, i, classes) != ArgMax(fromInference, i, classes));
        var correctOnnx = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromOnnx, i, classes) == test.Labels[i]);
        var correctInference = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromInference, i, classes) == test.Labels[i]);
        output.WriteLine($"{name} {kind}: largest difference {largest:G3} (image {worst / classes}, ONNX {(worst < 0 ? 0 : fromOnnx[worst])}, inference {(worst < 0 ? 0 : fromInference[worst])}); " +
            $"{differentClasses} of {test.Count} images classified differently; accuracy {correctOnnx} / {correctInference} of {test.Count}; operators {string.Join(" ", model.Operators)}");

        Assert.True(largest <= Tolerance, $"{name} ({kind}): ONNX Runtime and the inference class differ by {largest:G3} on image {worst / classes} (tolerance {Tolerance})");
        Assert.Equal(0, differentInFirst);
        Assert.Equal(correctInference, correctOnnx);
    }

    private static int ArgMax(float[] outputs, int image, int classes)
    {
        var row = outputs.AsSpan(image * classes, classes);
        var best = 0;
        for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
