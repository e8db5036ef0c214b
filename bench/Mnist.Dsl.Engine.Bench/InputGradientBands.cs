using System;
using System.Diagnostics;
using System.Linq;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;

/// <summary>
/// What skipping the zero-border kernel rows buys each stride-1 input gradient of DefaultNet or FastNet: the kernel
/// with its column bands against the same kernel reading every column, one thread, alternating, best of the rounds
/// (1x1 layers have no kernel rows to skip: Conv2dLayer gives them no bands).
/// </summary>
internal static unsafe class InputGradientBands
{
    public static void Run(SimdWidth width, string network, int rounds)
    {
        switch (width)
        {
            case SimdWidth.Bits512: Run<System.Runtime.Intrinsics.Vector512<float>, Vec512>(network, rounds); break;
            case SimdWidth.Bits256: Run<System.Runtime.Intrinsics.Vector256<float>, Vec256>(network, rounds); break;
            default: Run<float, VecScalar>(network, rounds); break;
        }
    }

    private static void Run<TV, TOps>(string network, int rounds) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var blueprint = network == "fast" ? Mnist.Models.FastNet.Trainer.Blueprint : Mnist.Models.DefaultNet.Trainer.Blueprint;
        foreach (var g in blueprint.Convolutions.Where(c => c.IsWide && c.Kernel > 1).Select(c => c with { VectorWidth = TOps.Count }))
        {
            using var arena = new NativeArena();
            int depth = g.GroupOutChannels * g.Taps;
            int* columns = arena.Copy(Conv2dLayer<TV, TOps>.BackwardDataColumnsByKernelRow(g));
            var (first, end) = Conv2dLayer<TV, TOps>.BackwardDataBands(g);
            // The positions Conv2dLayer.Backward computes: the whole vectors that hold unpadded pixels.
            int from = g.RoundDown(g.Padding * g.PaddedWidth + g.Padding);
            int to = g.RoundUp((g.Padding + g.Height - 1) * g.PaddedWidth + g.Padding + g.Width);
            var bands = new ColumnBands(arena.Copy(first), arena.Copy(end), from, g.PaddedWidth);
            float* w = arena.Floats(g.WeightCount);
            float* dy = arena.Floats((long)g.OutChannels * g.GradientPlane + Conv2dGeometry.Slack);
            float* dx = arena.Floats((long)g.InChannels * g.InputGradientPositions + Conv2dGeometry.Slack);
            var random = new Random(1);
            for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
            for (int c = 0; c < g.OutChannels; c++)
                for (int y = 0; y < g.OutHeight; y++)
                    for (int x = 0; x < g.OutWidth; x++) dy[c * g.GradientPlane + g.GradientFront + y * g.PaddedWidth + x] = (float)random.NextDouble();

            double Time(ColumnBands b)
            {
                const int calls = 200;
                var clock = Stopwatch.StartNew();
                for (int i = 0; i < calls; i++)
                    WideConvolution<TV, TOps>.ForwardInBands(dy + from, (nint)g.GroupOutChannels * g.GradientPlane, g.Groups, columns, depth, w,
                        g.GroupInChannels, dx + from, g.InputGradientPositions, to - from, b);
                return clock.Elapsed.TotalSeconds / calls;
            }
            Time(bands);
            Time(default);
            double all = double.MaxValue, banded = double.MaxValue;
            for (int round = 0; round < rounds; round++)
            {
                all = Math.Min(all, Time(default));
                banded = Math.Min(banded, Time(bands));
            }
            Console.WriteLine($"conv {g.InChannels}->{g.OutChannels} k{g.Kernel}{(g.Padding != 0 ? $" p{g.Padding}" : "")} {g.Height}x{g.Width} input grad: " +
                $"every column {all * 1e6:F2} us, border rows skipped {banded * 1e6:F2} us, ratio {banded / all:F3}");
        }
    }
}
