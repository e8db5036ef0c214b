using Mnist.Dsl.Simd;
using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The patch convolution (strided layers, grouped or not, with one image per vector lane) against F.conv2d: output,
/// weight and bias gradients and input gradient, on every strided reference case, the batch run as groups of the
/// layer's group size (a case of 11 images takes two groups, the second short), at every vector width this processor runs.
/// </summary>
public sealed unsafe class PatchConvolutionTests
{
    public static TheoryData<string, SimdWidth> Cases() => Widths.ForEach(StridedCases().Select(c => c.Name));

    private static ReferenceCases.ConvCase[] StridedCases() =>
        ReferenceCases.Convolutions.Where(c => c.Stride > 1).Concat(ReferenceCases.PatchConvolutions).Concat(ReferenceCases.LaneConvolutions).ToArray();

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name, SimdWidth width)
    {
        var c = StridedCases().Single(x => x.Name == name);
        var (y, dx, dw, db) = width switch
        {
            SimdWidth.Bits512 => Run<Vector512<float>, Vec512>(c),
            SimdWidth.Bits256 => Run<Vector256<float>, Vec256>(c),
            _ => Run<float, VecScalar>(c),
        };
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["y"], y, 1e-5, $"{name} output", Tolerance.Rms(expected["y"]));
        Tolerance.AssertClose(expected["dw"], dw, 1e-5, $"{name} weight gradient", Tolerance.Rms(expected["dw"]));
        Tolerance.AssertClose(expected["dx"], dx, 1e-5, $"{name} input gradient", Tolerance.Rms(expected["dx"]));
        if (c.Bias) Tolerance.AssertClose(expected["db"], db, 1e-5, $"{name} bias gradient");
    }

    [Fact]
    public void Strided_layers_run_as_patches_and_stride_1_layers_on_the_wide_kernels()
    {
        // bench/stacks' random3 (16->10 k7 s2 p2 on 11x11), random7 (16->6 k5 s3 p2 g2), random9 (8 k6 s2 p2 g8), and a stride-1 layer.
        Assert.True(Conv2dUnit<Vector512<float>, Vec512>.RunsAsPatches(new Conv2dGeometry(16, 10, 11, 11, 7, 2, 2, true, 16)));
        Assert.True(Conv2dUnit<Vector512<float>, Vec512>.RunsAsPatches(new Conv2dGeometry(16, 6, 7, 7, 5, 3, 2, false, 16) { Groups = 2 }));
        Assert.True(Conv2dUnit<Vector512<float>, Vec512>.RunsAsPatches(new Conv2dGeometry(8, 8, 3, 3, 6, 2, 2, false, 16) { Groups = 8 }));
        Assert.False(Conv2dUnit<Vector512<float>, Vec512>.RunsAsPatches(new Conv2dGeometry(1, 10, 28, 28, 3, 1, 0, false, 16)));
    }

    private static (float[] Y, float[] Dx, float[] Dw, float[] Db) Run<TV, TOps>(ReferenceCases.ConvCase c)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        using var arena = new NativeArena();
        var g = new Conv2dGeometry(c.InChannels, c.OutChannels, c.Height, c.Width, c.Kernel, c.Stride, c.Padding, c.Bias, TOps.Count)
        {
            Groups = c.Groups,
        };
        var layer = new PatchConvolution<TV, TOps>(g, 1, arena);
        float[] xs = ReferenceCases.Floats(c.Name, "x"), ws = ReferenceCases.Floats(c.Name, "w"), bs = ReferenceCases.Floats(c.Name, "b"),
            dys = ReferenceCases.Floats(c.Name, "dy");
        float* x = Copy(arena, xs), w = Copy(arena, ws), b = Copy(arena, bs);
        layer.Pack(w);
        int plane = g.OutHeight * g.OutWidth;
        var y = new float[c.N * g.OutputSize];
        var dx = new float[c.N * g.InputSize];
        var dw = new float[g.WeightCount];
        var db = new float[c.OutChannels];
        fixed (float* dwp = dw, dbp = db, dxp = dx)
        {
            for (int first = 0; first < c.N; first += layer.GroupSize)
            {
                int count = Math.Min(layer.GroupSize, c.N - first);
                float* matrix = layer.Forward(x, first, count, c.Bias ? b : null, 0);
                float* dy = layer.OutputGradient(0);
                for (int k = 0; k < count; k++)
                    for (int co = 0; co < g.OutChannels; co++)
                        for (int p = 0; p < plane; p++)
                        {
                            int at = ((first + k) * g.OutChannels + co) * plane + p;
                            y[at] = matrix[co * layer.Stride + k * plane + p];
                            dy[co * layer.Stride + k * plane + p] = dys[at];
                        }
                layer.Backward(x, dxp, first, count, dwp, c.Bias ? dbp : null, 0);
            }
        }
        return (y, dx, dw, db);
    }

    private static float* Copy(NativeArena arena, float[] values)
    {
        float* p = arena.Floats(values.Length + Conv2dGeometry.Slack);
        values.AsSpan().CopyTo(new Span<float>(p, values.Length));
        return p;
    }
}
