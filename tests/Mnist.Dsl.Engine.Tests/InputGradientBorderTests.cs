using System;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// A stride-1 layer's input gradient skips the kernel rows that read only the output gradient's zero border, and runs
/// a first or last vector that skips some on its own (eight, four and lone channels). Against the full transposed
/// convolution in doubles, on shapes that reach each of those paths at every width: channel counts with blocks of
/// eight, four and a remainder, 3x3 and 5x5 kernels, padded and not, planes of a few vectors to many.
/// </summary>
public sealed unsafe class InputGradientBorderTests
{
    public static TheoryData<string, SimdWidth> Cases() => Widths.ForEach(["6to12-k3-10x10", "12to14-k3-8x8", "16to6-k5-p2-9x9", "5to8-k3-p1-4x4", "13to4-k3-26x26", "8to10-g2-k3-11x11"]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_the_full_transposed_convolution(string name, SimdWidth width)
    {
        var g = Parse(name);
        var (expected, actual) = width switch
        {
            SimdWidth.Bits512 => Run<Vector512<float>, Vec512>(g),
            SimdWidth.Bits256 => Run<Vector256<float>, Vec256>(g),
            _ => Run<float, VecScalar>(g),
        };
        Tolerance.AssertClose(expected, actual, 1e-5, $"{name} input gradient", Tolerance.Rms(expected));
    }

    // "<in>to<out>[-g<groups>]-k<kernel>[-p<padding>]-<h>x<w>"
    private static Conv2dGeometry Parse(string name)
    {
        var parts = name.Split('-');
        var channels = parts[0].Split("to");
        int groups = 1, kernel = 0, padding = 0;
        foreach (var part in parts[1..^1])
            switch (part[0])
            {
                case 'g': groups = int.Parse(part[1..]); break;
                case 'k': kernel = int.Parse(part[1..]); break;
                case 'p': padding = int.Parse(part[1..]); break;
            }
        var size = parts[^1].Split('x');
        return new Conv2dGeometry(int.Parse(channels[0]), int.Parse(channels[1]), int.Parse(size[0]), int.Parse(size[1]), kernel, 1, padding, false, 1)
            { Groups = groups };
    }

    private static (float[] Expected, float[] Actual) Run<TV, TOps>(Conv2dGeometry shape)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var g = shape with { VectorWidth = TOps.Count };
        using var arena = new NativeArena();
        var layer = new Conv2dLayer<TV, TOps>(g, 1, arena);
        var random = new Random(g.InChannels * 1000 + g.Height);
        float* x = arena.Floats(g.InputSize + Conv2dGeometry.Slack), w = arena.Floats(g.WeightCount), dw = arena.Floats(g.WeightCount);
        for (int i = 0; i < g.InputSize; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
        var dy = new float[g.OutputSize];
        for (int i = 0; i < dy.Length; i++) dy[i] = (float)random.NextDouble() - 0.5f;
        layer.Pack(w);
        float* gradient = layer.OutputGradient(0);
        int ho = g.OutHeight, wo = g.OutWidth, k = g.Kernel, cin = g.GroupInChannels, cout = g.GroupOutChannels;
        for (int co = 0; co < g.OutChannels; co++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++) gradient[layer.GradientIndex(co, oy, ox)] = dy[(co * ho + oy) * wo + ox];
        var actual = new float[g.InputSize];
        fixed (float* dx = actual) layer.Backward(x, dx, dw, null, 0);

        var expected = new float[g.InputSize];
        for (int ci = 0; ci < g.InChannels; ci++)
            for (int iy = 0; iy < g.Height; iy++)
                for (int ix = 0; ix < g.Width; ix++)
                {
                    double sum = 0;
                    int group = ci / cin;
                    for (int co = group * cout; co < (group + 1) * cout; co++)
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                            {
                                int oy = iy + g.Padding - ky, ox = ix + g.Padding - kx;
                                if (oy >= 0 && oy < ho && ox >= 0 && ox < wo)
                                    sum += (double)w[((co * cin) + ci % cin) * k * k + ky * k + kx] * dy[(co * ho + oy) * wo + ox];
                            }
                    expected[(ci * g.Height + iy) * g.Width + ix] = (float)sum;
                }
        return (expected, actual);
    }
}
