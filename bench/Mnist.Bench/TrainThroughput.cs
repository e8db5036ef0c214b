using System;
using System.Diagnostics;
using Mnist.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// Training images per second for one network: the same loop as bench/pytorch/train_throughput.py
/// (SGD momentum 0.9, NLL loss, batches cut from one preloaded tensor), timed after warm-up batches; also per
/// CPU-second of the whole process (libtorch's OpenMP threads, spinning included), as the PyTorch script reports.
/// </summary>
internal static class TrainThroughput
{
    public static (double ImagesPerSecond, double ImagesPerCpuSecond) Run(Func<nn.Module<Tensor, Tensor>> makeModel, int batches, int warmup, int batchSize, int threads)
    {
        set_num_threads(threads);
        manual_seed(0);
        const int pool = 50;
        using var images = randn(new long[] { pool * batchSize, 1, 28, 28 });
        using var labels = randint(10, new long[] { pool * batchSize });
        using var model = makeModel();
        model.train();
        using var optimizer = optim.SGD(model.parameters(), learningRate: 0.01, momentum: 0.9);

        void Step(int i)
        {
            using var scope = NewDisposeScope();
            var start = i % pool * batchSize;
            var x = images.narrow(0, start, batchSize);
            var y = labels.narrow(0, start, batchSize);
            optimizer.zero_grad();
            var loss = nn.functional.nll_loss(model.forward(x), y);
            loss.backward();
            optimizer.step();
        }

        for (var i = 0; i < warmup; i++) Step(i);
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++) Step(warmup + i);
        var seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        var cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
        double trained = (double)batches * batchSize;
        return (trained / seconds, trained / cpuSeconds);
    }
}
