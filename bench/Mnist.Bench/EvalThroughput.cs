using System;
using System.Diagnostics;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// Evaluation images per second for one network: the same loop as bench/pytorch/eval_throughput.py (eval mode,
/// no_grad, one forward pass per batch cut from one preloaded tensor of 1,000 images), timed after warm-up batches.
/// </summary>
internal static class EvalThroughput
{
    public static double Run(Func<nn.Module<Tensor, Tensor>> makeModel, int batchSize, int batches, int warmup, int threads)
    {
        set_num_threads(threads);
        manual_seed(0);
        var pool = Math.Max(1, 1000 / batchSize);
        using var images = randn(new long[] { pool * batchSize, 1, 28, 28 });
        using var model = makeModel();
        model.eval();
        using var noGrad = no_grad();

        void Step(int i)
        {
            using var scope = NewDisposeScope();
            model.forward(images.narrow(0, i % pool * batchSize, batchSize));
        }

        for (var i = 0; i < warmup; i++) Step(i);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++) Step(warmup + i);
        return (double)batches * batchSize / clock.Elapsed.TotalSeconds;
    }
}
