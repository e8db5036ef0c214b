using System;
using System.Linq;
using Microsoft.ML.OnnxRuntime;
using Mnist.Dsl.Training.Export;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>An exported model in ONNX Runtime (CPU provider, default graph optimisations, two threads as the machine has).</summary>
internal sealed class OnnxRun : IDisposable
{
    private readonly InferenceSession _session;

    public OnnxRun(byte[] model)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 2, InterOpNumThreads = 1 };
        _session = new InferenceSession(model, options);
    }

    public InferenceSession Session => _session;

    public string OutputName => _session.OutputNames.Single();

    /// <summary>The outputs of <paramref name="count"/> [C, H, W] images starting at image <paramref name="start"/>, in batches of 1,000.</summary>
    public float[] Predict(float[] images, int start, int count, int channels, int height, int width)
    {
        var imageLength = channels * height * width;
        float[]? outputs = null;
        const int Batch = 1000;
        for (var first = 0; first < count; first += Batch)
        {
            var n = Math.Min(Batch, count - first);
            var input = images.AsSpan((start + first) * imageLength, n * imageLength).ToArray();
            using var value = OrtValue.CreateTensorValueFromMemory(input, new long[] { n, channels, height, width });
            using var run = new RunOptions();
            using var results = _session.Run(run, new[] { OnnxExport.InputName }, new[] { value }, _session.OutputNames);
            var result = results[0].GetTensorDataAsSpan<float>();
            var classes = result.Length / n;
            outputs ??= new float[count * classes];
            result.CopyTo(outputs.AsSpan(first * classes));
        }
        return outputs ?? Array.Empty<float>();
    }

    public void Dispose() => _session.Dispose();
}
