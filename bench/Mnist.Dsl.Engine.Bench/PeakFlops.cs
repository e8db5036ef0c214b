using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Threading;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;

/// <summary>
/// The machine's measured FMA throughput: 12 independent chains of fused multiply-adds (enough to cover a 4-cycle
/// latency on two FMA pipes) on each of T threads, at the width the trainer runs (<see cref="SimdWidths.Best"/>:
/// 512 bits where Vector512 is accelerated, else 256, else scalar). Passes of <c>seconds / passes</c>; the
/// best pass counts, since other processes can only lower it. Zen 4 splits a 512-bit FMA over its two 256-bit pipes,
/// so there 512 bits measure the same as 256.
/// </summary>
internal static class PeakFlops
{
    private const int ChainCount = 12;
    private const long ChunkIterations = 200_000;
    private static float Sink;

    public static void Run(int threads, double seconds, int passes)
    {
        var width = SimdWidths.Best();
        (int bits, Func<long, float> kernel) = width switch
        {
            SimdWidth.Bits512 => (512, Chains<Vector512<float>, Vec512>),
            SimdWidth.Bits256 => (256, Chains<Vector256<float>, Vec256>),
            _ => (32, (Func<long, float>)Chains<float, VecScalar>),
        };
        int lanes = bits / 32;
        kernel(ChunkIterations); // compiled (AggressiveOptimization: no tier 0) and caches warm before timing

        double best = 0;
        var rates = new double[passes];
        for (int pass = 0; pass < passes; pass++)
        {
            rates[pass] = Pass(kernel, threads, seconds / passes) * ChainCount * lanes * 2 / 1e9;
            best = Math.Max(best, rates[pass]);
        }
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"simd={bits}");
        Console.WriteLine($"fma_chains={ChainCount}");
        Console.WriteLine($"threads={threads}");
        Console.WriteLine($"passes_gflops={string.Join(',', Array.ConvertAll(rates, F))}");
        Console.WriteLine($"gflops_per_thread={F(best / threads)}");
        Console.WriteLine($"peak_gflops={F(best)}");
    }

    /// <summary>Kernel iterations per second, summed over <paramref name="threads"/> threads started together.</summary>
    private static double Pass(Func<long, float> kernel, int threads, double seconds)
    {
        var counts = new long[threads];
        var sums = new float[threads];
        using var start = new Barrier(threads + 1);
        var workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            int index = t;
            workers[t] = new Thread(() =>
            {
                start.SignalAndWait();
                var clock = Stopwatch.StartNew();
                long done = 0;
                float total = 0;
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    total += kernel(ChunkIterations);
                    done += ChunkIterations;
                }
                counts[index] = done;
                sums[index] = total;
            }) { IsBackground = true };
            workers[t].Start();
        }
        start.SignalAndWait();
        var wall = Stopwatch.StartNew();
        foreach (var w in workers) w.Join();
        double elapsed = wall.Elapsed.TotalSeconds;
        long iterations = 0;
        foreach (var c in counts) iterations += c;
        foreach (var s in sums) Sink += s; // keeps the chains' results alive
        return iterations / elapsed;
    }

    // c = c·a + b converges to b / (1 − a) = 1: no overflow, no denormals. Each iteration: 12 independent FMAs, through
    // the engine's own vector operations, so the peak is measured with the instructions the kernels use.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains<TV, TOps>(long iterations) where TV : struct where TOps : IVectorOps<TV>
    {
        var a = TOps.Broadcast(0.999f);
        var b = TOps.Broadcast(0.001f);
        TV c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TOps.MulAdd(c0, a, b); c1 = TOps.MulAdd(c1, a, b); c2 = TOps.MulAdd(c2, a, b);
            c3 = TOps.MulAdd(c3, a, b); c4 = TOps.MulAdd(c4, a, b); c5 = TOps.MulAdd(c5, a, b);
            c6 = TOps.MulAdd(c6, a, b); c7 = TOps.MulAdd(c7, a, b); c8 = TOps.MulAdd(c8, a, b);
            c9 = TOps.MulAdd(c9, a, b); c10 = TOps.MulAdd(c10, a, b); c11 = TOps.MulAdd(c11, a, b);
        }
        var sum = TOps.Add(TOps.Add(TOps.Add(c0, c1), TOps.Add(c2, c3)), TOps.Add(TOps.Add(c4, c5), TOps.Add(c6, c7)));
        return TOps.Sum(TOps.Add(sum, TOps.Add(TOps.Add(c8, c9), TOps.Add(c10, c11))));
    }
}
