using System;
using System.Diagnostics;
using System.Linq;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;
using Mnist.Dsl.Engine.Trainers;

/// <summary>
/// GFLOP/s of each DefaultNet (or FastNet) convolution's three passes (forward, weight gradient, input gradient) on one thread,
/// one image at a time as the trainer runs them: where the time goes, and how far from the FMA peak.
/// </summary>
internal static unsafe class KernelTimes
{
    // network: "default" (DefaultNet's convolutions), "fast" (FastNet's), "tiny" (TinyNet's), "separable" or "separable-dense"
    // (DepthwiseVsDense's), or a benchmark stack ("random4": bench/stacks, composed as bench/train-set.sh runs it).
    public static void Run(SimdWidth width, int images, string network = "default")
    {
        switch (width)
        {
            case SimdWidth.Bits512: Run<Vector512<float>, Vec512>(images, network); break;
            case SimdWidth.Bits256: Run<Vector256<float>, Vec256>(images, network); break;
            default: Run<float, VecScalar>(images, network); break;
        }
    }

    private static void Run<TV, TOps>(int images, string network) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        // The first pass only gets every kernel through tiered compilation (the first layer measured in tier 0 /
        // on-stack replacement looked 30 times slower than it is).
        var quiet = Console.Out;
        Console.SetOut(System.IO.TextWriter.Null);
        Measure<TV, TOps>(images, network);
        Console.SetOut(quiet);
        Measure<TV, TOps>(images, network);
    }

    private static void Measure<TV, TOps>(int images, string network) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        int v = TOps.Count;
        // The network's convolutions as its generated trainer composes them (the blueprint's geometry), at this vector width.
        var blueprint = network switch
        {
            "fast" => Mnist.Models.FastNet.Trainer.Blueprint,
            "tiny" => Mnist.Models.TinyNet.Trainer.Blueprint,
            // DepthwiseVsDense's network, its depthwise convolutions grouped or not.
            "separable" => Mnist.Dsl.Engine.Composition.TrainerBlueprint.For(DepthwiseVsDense.Network(true)),
            "separable-dense" => Mnist.Dsl.Engine.Composition.TrainerBlueprint.For(DepthwiseVsDense.Network(false)),
            _ when BenchmarkStacks.Find(network) is { } stack => Mnist.Dsl.Engine.Composition.TrainerBlueprint.For(stack),
            _ => Mnist.Models.DefaultNet.Trainer.Blueprint,
        };
        var layers = blueprint.Convolutions.Select(g => g with { VectorWidth = v }).ToArray();
        double totalSeconds = 0;
        long totalMacs = 0;
        foreach (var g in layers)
        {
            using var arena = new NativeArena();
            var layer = new Conv2dLayer<TV, TOps>(g, 1, arena);
            float* x = arena.Floats((long)images * g.InputSize + Conv2dGeometry.Slack);
            float* w = arena.Floats(g.WeightCount);
            float* dw = arena.Floats(g.WeightCount);
            float* dx = arena.Floats(g.InputSize);
            var random = new Random(1);
            for (long i = 0; i < (long)images * g.InputSize; i++) x[i] = (float)random.NextDouble();
            for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
            layer.Pack(w);
            float* dy = layer.OutputGradient(0);
            for (int co = 0; co < g.OutChannels; co++)
                for (int y = 0; y < g.OutHeight; y++)
                    for (int xx = 0; xx < g.OutWidth; xx++) dy[layer.GradientIndex(co, y, xx)] = (float)random.NextDouble();

            double forward = Time(images, i => layer.Forward(x + (long)i * g.InputSize, null, 0));
            double backward = Time(images, i => layer.Backward(x + (long)i * g.InputSize, dx, dw, null, 0));
            // The weight gradient as the trainer runs it: summed over groups of GroupSize images (one output gradient,
            // reused from slot 0 for every slot, is enough for timing).
            int group = layer.GroupSize;
            for (int k = 1; k < group; k++)
                new Span<float>(layer.OutputGradient(0, 0), g.OutChannels * layer.GradientPlane).CopyTo(new Span<float>(layer.OutputGradient(0, k), g.OutChannels * layer.GradientPlane));
            double weightSingle = Time(images, i => layer.Backward(x + (long)i * g.InputSize, null, dw, null, 0));
            double weightOnly = Time(images / group, i =>
            {
                float** m = stackalloc float*[group];
                for (int k = 0; k < group; k++) m[k] = x + (long)(i * group + k) * g.InputSize;
                layer.Backward(m, null, group, dw, null, 0);
            }) / group;
            double macs = g.MultiplyAdds;
            Console.WriteLine($"conv {g.InChannels}->{g.OutChannels} k{g.Kernel}{(g.Stride != 1 ? $" s{g.Stride}" : "")}{(g.Padding != 0 ? $" p{g.Padding}" : "")}{(g.Groups != 1 ? $" groups {g.Groups}" : "")} {g.Height}x{g.Width} (weight-gradient group {group}): forward {2 * macs / forward / 1e9:F1} GFLOP/s, " +
                $"weight grad {2 * macs / weightOnly / 1e9:F1} (one image at a time {2 * macs / weightSingle / 1e9:F1}), " +
                $"input grad {2 * macs / Math.Max(backward - weightSingle, 1e-12) / 1e9:F1}; " +
                $"{(forward + backward - weightSingle + weightOnly) * 1e6:F1} us/image");
            totalSeconds += forward + backward - weightSingle + weightOnly;
            totalMacs += g.MultiplyAdds * 3;
            if (Mnist.Dsl.Engine.Composition.Conv2dUnit<TV, TOps>.RunsAsPatches(g)) MeasurePatches<TV, TOps>(g, images, x);
        }
        Console.WriteLine($"convolutions_total_us_per_image={totalSeconds * 1e6:F1}");
        Console.WriteLine($"convolutions_gflops={2.0 * totalMacs / totalSeconds / 1e9:F1}");
    }

    /// <summary>The same layer as the trainer runs it, as <see cref="Mnist.Dsl.Engine.Composition.PatchConvolution{TV,TOps}"/>
    /// (a group of images per call, with the layout copies).</summary>
    private static void MeasurePatches<TV, TOps>(Conv2dGeometry g, int images, float* x) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        using var arena = new NativeArena();
        var patch = new Mnist.Dsl.Engine.Composition.PatchConvolution<TV, TOps>(g, 1, arena);
        float* w = arena.Floats(g.WeightCount), dw = arena.Floats(g.WeightCount), dx = arena.Floats((long)images * g.InputSize);
        var random = new Random(1);
        for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
        patch.Pack(w);
        float* dy = patch.OutputGradient(0);
        for (long i = 0; i < (long)g.OutChannels * patch.Stride; i++) dy[i] = (float)random.NextDouble();
        int group = patch.GroupSize, groups = images / group;
        double forward = Time(groups, i => patch.Forward(x, i * group, group, null, 0)) / group;
        double weight = Time(groups, i => patch.Backward(x, null, i * group, group, dw, null, 0)) / group;
        double backward = Time(groups, i => patch.Backward(x, dx, i * group, group, dw, null, 0)) / group;
        double macs = g.MultiplyAdds;
        Console.WriteLine($"  as patches (group {group}): forward {2 * macs / forward / 1e9:F1} GFLOP/s, weight grad {2 * macs / weight / 1e9:F1}, " +
            $"input grad {2 * macs / Math.Max(backward - weight, 1e-12) / 1e9:F1}; {(forward + backward) * 1e6:F1} us/image " +
            $"(forward {forward * 1e6:F1}, weight {weight * 1e6:F1}, input {(backward - weight) * 1e6:F1})");
    }

    // Seconds per image: the best of 5 passes over all images (the machine is shared; the best is the least disturbed).
    private static double Time(int images, Action<int> body)
    {
        for (int i = 0; i < images; i++) body(i);
        double best = double.MaxValue;
        for (int round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < images; i++) body(i);
            best = Math.Min(best, clock.Elapsed.TotalSeconds / images);
        }
        return best;
    }
}
