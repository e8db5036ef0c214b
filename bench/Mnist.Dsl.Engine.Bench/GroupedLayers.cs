using Mnist.Dsl.Simd;
using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;

/// <summary>
/// The benchmark set's grouped, depthwise and strided convolutions (and the tiny network's depthwise ones), one layer at
/// a time on one thread as the trainer runs them: forward per image, backward (input and weight gradient) per group of
/// images. Timed in the thread's CPU time (Linux's CLOCK_THREAD_CPUTIME_ID), which the other jobs on a shared machine
/// disturb far less than wall time; each layer runs for the given seconds after a warm-up, so every method has left
/// tier 0. Prints one line per layer, µs per image.
/// </summary>
internal static unsafe class GroupedLayers
{
    private static readonly (string Name, Conv2dGeometry Geometry)[] Layers =
    [
        ("random4 10->14 k4 s2 p2 g2, 28x28", new Conv2dGeometry(10, 14, 28, 28, 4, 2, 2, false, 0) { Groups = 2 }),
        ("random7 1->16 k6 s3, 28x28", new Conv2dGeometry(1, 16, 28, 28, 6, 3, 0, false, 0)),
        ("random7 16->6 k5 s3 p2 g2, 8x8", new Conv2dGeometry(16, 6, 8, 8, 5, 3, 2, false, 0) { Groups = 2 }),
        ("random9 depthwise 8 k6 s2 p2, 2x2", new Conv2dGeometry(8, 8, 2, 2, 6, 2, 2, false, 0) { Groups = 8 }),
        ("random1 depthwise 3 k3 s3 p2, 29x29", new Conv2dGeometry(3, 3, 29, 29, 3, 3, 2, false, 0) { Groups = 3 }),
        ("random5 depthwise 12 k1 s2 p1, 10x10", new Conv2dGeometry(12, 12, 10, 10, 1, 2, 1, false, 0) { Groups = 12 }),
        ("random8 5->10 k1 g5, 10x10", new Conv2dGeometry(5, 10, 10, 10, 1, 1, 0, false, 0) { Groups = 5 }),
        ("random6 depthwise 13 k1 p2, 9x9", new Conv2dGeometry(13, 13, 9, 9, 1, 1, 2, false, 0) { Groups = 13 }),
        ("tiny depthwise 10 k3, 26x26", new Conv2dGeometry(10, 10, 26, 26, 3, 1, 0, false, 0) { Groups = 10 }),
        ("tiny depthwise 24 k3, 10x10", new Conv2dGeometry(24, 24, 10, 10, 3, 1, 0, false, 0) { Groups = 24 }),
        ("tiny depthwise 24 k3 p1, 8x8", new Conv2dGeometry(24, 24, 8, 8, 3, 1, 1, false, 0) { Groups = 24 }),
    ];

    public static void Run(SimdWidth width, double seconds)
    {
        foreach (var (name, geometry) in Layers)
        {
            var (forward, backward) = width switch
            {
                SimdWidth.Bits512 => Time<Vector512<float>, Vec512>(geometry with { VectorWidth = 16 }, seconds),
                SimdWidth.Bits256 => Time<Vector256<float>, Vec256>(geometry with { VectorWidth = 8 }, seconds),
                _ => Time<float, VecScalar>(geometry with { VectorWidth = 1 }, seconds),
            };
            Console.WriteLine($"{name}: forward {forward:F2} us/image, backward {backward:F2} us/image, both {forward + backward:F2}");
        }
    }

    private static (double Forward, double Backward) Time<TV, TOps>(Conv2dGeometry g, double seconds)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        const int images = 32;
        using var arena = new NativeArena();
        var layer = new Conv2dLayer<TV, TOps>(g, 1, arena);
        float* x = arena.Floats(images * (long)g.InputSize + Conv2dGeometry.Slack), w = arena.Floats(g.WeightCount);
        float* dw = arena.Floats(g.WeightCount), dx = arena.Floats(images * (long)g.InputSize);
        var random = new Random(1);
        for (long i = 0; i < images * (long)g.InputSize; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
        layer.Pack(w);
        int group = layer.GroupSize;
        for (int k = 0; k < group; k++)
            for (int co = 0; co < g.OutChannels; co++)
                for (int y = 0; y < g.OutHeight; y++)
                    for (int xx = 0; xx < g.OutWidth; xx++) layer.OutputGradient(0, k)[layer.GradientIndex(co, y, xx)] = (float)random.NextDouble();
        float** inputs = stackalloc float*[group];
        float** gradients = stackalloc float*[group];
        long forward = 0, backward = 0, passes = 0;
        var clock = Stopwatch.StartNew();
        for (bool warm = false; ; )
        {
            long t0 = ThreadNanoseconds();
            for (int i = 0; i < images; i++) layer.Forward(x + (long)i * g.InputSize, null, 0);
            long t1 = ThreadNanoseconds();
            for (int i = 0; i + group <= images; i += group)
            {
                for (int k = 0; k < group; k++)
                {
                    inputs[k] = x + (long)(i + k) * g.InputSize;
                    gradients[k] = dx + (long)(i + k) * g.InputSize;
                }
                layer.Backward(inputs, gradients, group, dw, null, 0);
            }
            long t2 = ThreadNanoseconds();
            if (!warm)
            {
                // A second of warm-up: the JIT's tiering delay passes and every method reaches its optimised code.
                warm = clock.Elapsed.TotalSeconds > 1;
                if (warm) clock.Restart();
                continue;
            }
            (forward, backward, passes) = (forward + t1 - t0, backward + t2 - t1, passes + 1);
            if (clock.Elapsed.TotalSeconds > seconds) break;
        }
        // Whole groups only: 32 images is a multiple of every group size (1, 2, 4, 8).
        return (forward / 1e3 / passes / images, backward / 1e3 / passes / images);
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, long* time);

    private static long ThreadNanoseconds()
    {
        long* time = stackalloc long[2];
        ClockGetTime(3, time); // CLOCK_THREAD_CPUTIME_ID
        return time[0] * 1_000_000_000 + time[1];
    }
}
