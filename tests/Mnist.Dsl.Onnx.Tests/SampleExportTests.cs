using System;
using System.Linq;
using Mnist.Dsl.Training.Export;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>
/// Every sample network's export, with initialised and with trained weights, in ONNX Runtime against the network's
/// generated inference class (which computes in plain C#, from the same safetensors file): the outputs of 1,000 real
/// test images within <see cref="Allowed"/>, the same class for each, and the same accuracy on all 10,000.
/// </summary>
public class SampleExportTests(ITestOutputHelper output)
{
    /// <summary>
    /// 1e-5 absolute on log-probabilities (or logits), or 2e-6 of the value where it is below −5: both sides compute
    /// in float32 with other summation orders (ONNX Runtime's MLAS kernels against the inference class's), and
    /// float32's own spacing is 1.9e-6 at 16-32, where trained networks put the unlikely classes. Measured: 3.6e-6 at
    /// most on log-probabilities above −1, 9.5e-6 at most anywhere (at −20.6) before the biased fused blocks; since,
    /// seed001-2's trained weights gave 1.53e-5 at −9.9 (about 16 float spacings there); see docs/onnx.md.
    /// </summary>
    public const double Tolerance = 1e-5;

    /// <summary>The difference allowed at <paramref name="value"/>: <see cref="Tolerance"/>, or 2e-6 of a value below −5.</summary>
    public static double Allowed(double value) => Math.Max(Tolerance, 2e-6 * Math.Abs(value));

    private const int Compared = 1000;

    [Theory]
    [MemberData(nameof(SampleWeights.NamesAndKinds), MemberType = typeof(SampleWeights))]
    public void Export_runs_in_onnx_runtime_as_the_inference_class(string name, WeightsKind kind)
    {
        var network = SampleWeights.Networks.Find(name);
        var weights = SampleWeights.Path(name, kind);
        var model = network.ToOnnx(weights, SampleWeights.Networks);
        var inference = network.LoadInference(weights);
        var test = TestImages.TestSet;
        var input = network.Summary.Input;
        var classes = network.Summary.Output.Channels;

        using var onnx = new OnnxRun(model.Bytes);
        Assert.Equal(model.OutputName, onnx.OutputName);
        var fromOnnx = onnx.Predict(test.Images, 0, test.Count, input.Channels, input.Height, input.Width);
        var fromInference = new float[test.Count * classes];
        inference.PredictBatch(test.Images, fromInference, 2);

        double largest = 0, largestProbable = 0, worstRatio = 0;
        var worst = -1;
        for (var i = 0; i < Compared * classes; i++)
        {
            var difference = Math.Abs((double)fromOnnx[i] - fromInference[i]);
            largest = Math.Max(largest, difference);
            if (fromInference[i] > -1) largestProbable = Math.Max(largestProbable, difference);
            if (difference / Allowed(fromInference[i]) > worstRatio) (worstRatio, worst) = (difference / Allowed(fromInference[i]), i);
        }
        var differentClasses = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromOnnx, i, classes) != ArgMax(fromInference, i, classes));
        var differentInFirst = Enumerable.Range(0, Compared).Count(i => ArgMax(fromOnnx, i, classes) != ArgMax(fromInference, i, classes));
        var correctOnnx = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromOnnx, i, classes) == test.Labels[i]);
        var correctInference = Enumerable.Range(0, test.Count).Count(i => ArgMax(fromInference, i, classes) == test.Labels[i]);
        output.WriteLine($"{name} {kind}: largest difference {largest:G3}, {largestProbable:G3} on log-probabilities above -1; " +
            $"{differentClasses} of {test.Count} images classified differently; accuracy {correctOnnx} / {correctInference} of {test.Count}; operators {string.Join(" ", model.Operators)}");

        Assert.True(worstRatio <= 1, $"{name} ({kind}): on image {worst / classes} ONNX Runtime gives {fromOnnx[Math.Max(worst, 0)]}, the inference class {fromInference[Math.Max(worst, 0)]}, more than {Allowed(fromInference[Math.Max(worst, 0)])} apart");
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
