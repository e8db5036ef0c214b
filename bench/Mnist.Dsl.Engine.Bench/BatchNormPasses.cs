using System;
using System.Diagnostics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Layers;

/// <summary>
/// The fused Conv2d-ReLU-BatchNorm2d-Dropout block's passes outside the convolution, one at a time on one thread, in
/// nanoseconds per float: the normalisation without and with dropout (forward), the gradient sums with dropout's backward, and the
/// input gradient into a padded-wide gradient (rows 2 floats wider, as the convolution's), at DefaultNet's first two
/// blocks' shapes (16x26x26, 24x24x24) over 32 images (about 1.4-1.8 MB a buffer: L2 misses as in a step). The best of
/// the rounds, so that other jobs on the machine only lengthen the rounds they interrupt.
/// </summary>
internal static unsafe class BatchNormPasses
{
    public static void Run(int rounds)
    {
        foreach (var (channels, side) in new[] { (16, 26), (24, 24) })
            Measure(channels, side, rounds);
    }

    private static void Measure(int channels, int side, int rounds)
    {
        const int images = 32;
        const double dropout = 0.25;
        const uint key = 0xC0FFEEu;
        int plane = side * side, size = channels * plane, wideRow = side + 2, widePlane = wideRow * (side + 2);
        using var arena = new NativeArena();
        float* x = arena.Floats((long)images * size + 64), y = arena.Floats((long)images * size + 64);
        float* dy = arena.Floats((long)images * size + 64), dx = arena.Floats((long)channels * widePlane + 64);
        float* mean = arena.Floats(channels), inverseStd = arena.Floats(channels), gamma = arena.Floats(channels);
        float* meanDy = arena.Floats(channels), meanDyXhat = arena.Floats(channels);
        double* sums = arena.Doubles(2 * channels);
        var random = new Random(1);
        for (long i = 0; i < (long)images * size; i++) { x[i] = (float)random.NextDouble() - 0.3f; dy[i] = (float)random.NextDouble() - 0.5f; }
        for (int c = 0; c < channels; c++) { mean[c] = 0.2f; inverseStd[c] = 1.5f; gamma[c] = 1.1f; meanDy[c] = 0.01f; meanDyXhat[c] = 0.02f; }
        double normalize = Best(rounds, () =>
        {
            for (int i = 0; i < images; i++)
                for (int c = 0; c < channels; c++)
                    DropoutMask.AffineThenApply(x + (long)i * size + c * plane, y + (long)i * size + c * plane, plane, 1.3f, 0.1f,
                        (uint)(i * size + c * plane), key, dropout);
        });
        double plain = Best(rounds, () =>
        {
            for (int i = 0; i < images; i++)
                BatchNormKernels.Normalize(x + (long)i * size, y + (long)i * size, channels, plane, mean, inverseStd, gamma, meanDy);
        });
        double sumsTime = Best(rounds, () =>
        {
            for (int i = 0; i < images; i++)
                BatchNormKernels.DropoutBackwardAndGradientSums(dy + (long)i * size, x + (long)i * size, channels, plane, mean, inverseStd,
                    (uint)(i * size), key, 0, sums, sums + channels);
        });
        double sumsDropout = Best(rounds, () =>
        {
            for (int i = 0; i < images; i++)
                BatchNormKernels.DropoutBackwardAndGradientSums(y + (long)i * size, x + (long)i * size, channels, plane, mean, inverseStd,
                    (uint)(i * size), key, dropout, sums, sums + channels);
        });
        double inputGradient = Best(rounds, () =>
        {
            for (int i = 0; i < images; i++)
                BatchNormKernels.InputGradient(dy + (long)i * size, x + (long)i * size, channels, side, side, mean, inverseStd, gamma, meanDy,
                    meanDyXhat, reluBefore: true, dx + wideRow + 1, widePlane, wideRow);
        });
        double floats = (double)images * size;
        Console.WriteLine($"batchnorm {channels}x{side}x{side}: normalize {1e9 * plain / floats:F3} ns/float, " +
            $"normalize+dropout {1e9 * normalize / floats:F3}, " +
            $"gradient sums {1e9 * sumsTime / floats:F3}, with dropout {1e9 * sumsDropout / floats:F3}, " +
            $"input gradient (wide, ReLU) {1e9 * inputGradient / floats:F3}");
    }

    /// <summary>The shortest of <paramref name="rounds"/> runs (after one to warm up), in seconds.</summary>
    private static double Best(int rounds, Action pass)
    {
        double best = double.MaxValue;
        for (int r = 0; r <= rounds; r++)
        {
            long start = Stopwatch.GetTimestamp();
            pass();
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (r > 0) best = Math.Min(best, seconds);
        }
        return best;
    }
}
