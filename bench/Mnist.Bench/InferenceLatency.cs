using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Mnist.Dsl.Training.Serialization;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// Eval-mode inference, side by side in one process: the generated inference class (plain C#) against the TorchSharp
/// module it comes from (libtorch 2.10), on the same weights (a safetensors file) and the same random images. Batch 1: the median
/// of many single-image calls, in microseconds. Batch 1000: images per second over whole batches. Each measurement
/// alternates the two so that machine noise hits both. Prints key=value lines for bench/inference.sh.
/// </summary>
internal static class InferenceLatency
{
    private sealed record Pair(Func<nn.Module<Tensor, Tensor>> Module, Func<string, Action<ReadOnlyMemory<float>, Memory<float>, int>> Inference, Func<string, Func<ReadOnlyMemory<float>, int>> Classify);

    private static Pair For(string model)
    {
        var network = BenchModels.Network(model);
        return new(BenchModels.Find(model), p => network.LoadInference(p).PredictBatch, p => { var n = network.LoadInference(p); return m => n.Classify(m.Span); });
    }

    public static void Run(string model, int singles, int batches, int batchSize, int threads)
    {
        set_num_threads(threads);
        manual_seed(0);
        var pair = For(model);
        var weights = Path.Combine(Path.GetTempPath(), $"mnist-bench-{Environment.ProcessId}.safetensors");
        using var module = pair.Module();
        module.eval();
        module.SaveWeights(weights);
        var predict = pair.Inference(weights);
        var classify = pair.Classify(weights);
        File.Delete(weights);

        const int Image = 28 * 28;
        using var images = randn(new long[] { batchSize, 1, 28, 28 });
        var pixels = images.data<float>().ToArray();
        var outputs = new float[batchSize * 10];
        using var noGrad = no_grad();

        // Batch 1: one image, the call a service answering one request makes.
        var single = pixels.AsMemory(0, Image);
        using var one = images.narrow(0, 0, 1);
        double Generated1() { var t = Stopwatch.GetTimestamp(); classify(single); return Stopwatch.GetElapsedTime(t).TotalMicroseconds; }
        double TorchSharp1() { var t = Stopwatch.GetTimestamp(); using (var y = module.forward(one)) using (var c = y.argmax(1)) c.item<long>(); return Stopwatch.GetElapsedTime(t).TotalMicroseconds; }
        for (var i = 0; i < Math.Max(50, singles / 10); i++) { Generated1(); TorchSharp1(); }
        var generated1 = new double[singles];
        var torchSharp1 = new double[singles];
        for (var i = 0; i < singles; i++) { generated1[i] = Generated1(); torchSharp1[i] = TorchSharp1(); }

        // Batch N: throughput, both on `threads` threads.
        double GeneratedN() { var t = Stopwatch.GetTimestamp(); predict(pixels, outputs, threads); return Stopwatch.GetElapsedTime(t).TotalSeconds; }
        double TorchSharpN() { var t = Stopwatch.GetTimestamp(); using (var y = module.forward(images)) y.data<float>(); return Stopwatch.GetElapsedTime(t).TotalSeconds; }
        GeneratedN(); TorchSharpN(); GeneratedN(); TorchSharpN();
        var generatedN = new double[batches];
        var torchSharpN = new double[batches];
        for (var i = 0; i < batches; i++) { generatedN[i] = GeneratedN(); torchSharpN[i] = TorchSharpN(); }

        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"generated_batch1_us={F(Median(generated1))}");
        Console.WriteLine($"torchsharp_batch1_us={F(Median(torchSharp1))}");
        Console.WriteLine($"generated_batch{batchSize}_images_per_s={F(batchSize / Median(generatedN))}");
        Console.WriteLine($"torchsharp_batch{batchSize}_images_per_s={F(batchSize / Median(torchSharpN))}");
    }

    private static double Median(double[] values)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
