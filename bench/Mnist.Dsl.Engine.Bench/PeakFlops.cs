using System;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using Mnist.Dsl.Engine.Simd;

/// <summary>
/// The machine's measured FMA throughput: 12 independent chains of fused multiply-adds (enough to cover a 4-cycle
/// latency on two FMA pipes) on each of T threads, at the width the trainer runs (<see cref="SimdWidths.Best"/>:
/// 512 bits where Vector512 is accelerated, else 256 with FMA, else 128). Passes of <c>seconds / passes</c>; the
/// best pass counts, since other processes can only lower it. Zen 4 splits a 512-bit FMA over its two 256-bit pipes,
/// so there 512 bits measure the same as 256.
/// </summary>
internal static class PeakFlops
{
    private const int Chains = 12;
    private const long ChunkIterations = 200_000;
    private static float sink;

    public static void Run(int threads, double seconds, int passes)
    {
        var width = SimdWidths.Best();
        int bits = width switch
        {
            SimdWidth.Bits512 when Avx512F.IsSupported => 512,
            SimdWidth.Bits512 or SimdWidth.Bits256 when Fma.IsSupported => 256,
            _ => 128,
        };
        int lanes = bits / 32;
        Func<long, float> kernel = bits switch { 512 => Chains512, 256 => Chains256, _ => Chains128 };
        kernel(ChunkIterations); // compiled (AggressiveOptimization: no tier 0) and caches warm before timing

        double best = 0;
        var rates = new double[passes];
        for (int pass = 0; pass < passes; pass++)
        {
            rates[pass] = Pass(kernel, threads, seconds / passes) * Chains * lanes * 2 / 1e9;
            best = Math.Max(best, rates[pass]);
        }
        string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"simd={bits}");
        Console.WriteLine($"fma_chains={Chains}");
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
        foreach (var s in sums) sink += s; // keeps the chains' results alive
        return iterations / elapsed;
    }

    // c = c·a + b converges to b / (1 − a) = 1: no overflow, no denormals. Each iteration: 12 independent FMAs.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains512(long iterations)
    {
        var a = Vector512.Create(0.999f);
        var b = Vector512.Create(0.001f);
        Vector512<float> c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Avx512F.FusedMultiplyAdd(c0, a, b); c1 = Avx512F.FusedMultiplyAdd(c1, a, b);
            c2 = Avx512F.FusedMultiplyAdd(c2, a, b); c3 = Avx512F.FusedMultiplyAdd(c3, a, b);
            c4 = Avx512F.FusedMultiplyAdd(c4, a, b); c5 = Avx512F.FusedMultiplyAdd(c5, a, b);
            c6 = Avx512F.FusedMultiplyAdd(c6, a, b); c7 = Avx512F.FusedMultiplyAdd(c7, a, b);
            c8 = Avx512F.FusedMultiplyAdd(c8, a, b); c9 = Avx512F.FusedMultiplyAdd(c9, a, b);
            c10 = Avx512F.FusedMultiplyAdd(c10, a, b); c11 = Avx512F.FusedMultiplyAdd(c11, a, b);
        }
        return Vector512.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains256(long iterations)
    {
        var a = Vector256.Create(0.999f);
        var b = Vector256.Create(0.001f);
        Vector256<float> c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Fma.MultiplyAdd(c0, a, b); c1 = Fma.MultiplyAdd(c1, a, b);
            c2 = Fma.MultiplyAdd(c2, a, b); c3 = Fma.MultiplyAdd(c3, a, b);
            c4 = Fma.MultiplyAdd(c4, a, b); c5 = Fma.MultiplyAdd(c5, a, b);
            c6 = Fma.MultiplyAdd(c6, a, b); c7 = Fma.MultiplyAdd(c7, a, b);
            c8 = Fma.MultiplyAdd(c8, a, b); c9 = Fma.MultiplyAdd(c9, a, b);
            c10 = Fma.MultiplyAdd(c10, a, b); c11 = Fma.MultiplyAdd(c11, a, b);
        }
        return Vector256.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }

    // Fallback (no AVX2/FMA, or ARM64): Vector128.FusedMultiplyAdd is one instruction where the hardware has one.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float Chains128(long iterations)
    {
        var a = Vector128.Create(0.999f);
        var b = Vector128.Create(0.001f);
        Vector128<float> c0 = b, c1 = b, c2 = b, c3 = b, c4 = b, c5 = b, c6 = b, c7 = b, c8 = b, c9 = b, c10 = b, c11 = b;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, a, b); c1 = Vector128.FusedMultiplyAdd(c1, a, b);
            c2 = Vector128.FusedMultiplyAdd(c2, a, b); c3 = Vector128.FusedMultiplyAdd(c3, a, b);
            c4 = Vector128.FusedMultiplyAdd(c4, a, b); c5 = Vector128.FusedMultiplyAdd(c5, a, b);
            c6 = Vector128.FusedMultiplyAdd(c6, a, b); c7 = Vector128.FusedMultiplyAdd(c7, a, b);
            c8 = Vector128.FusedMultiplyAdd(c8, a, b); c9 = Vector128.FusedMultiplyAdd(c9, a, b);
            c10 = Vector128.FusedMultiplyAdd(c10, a, b); c11 = Vector128.FusedMultiplyAdd(c11, a, b);
        }
        return Vector128.Sum(c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11);
    }
}
