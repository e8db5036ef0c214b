using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>Conv2d forward, weight/bias gradient and input gradient against F.conv2d (grouped and depthwise too), at every vector width this processor runs.</summary>
public sealed unsafe class ConvolutionTests
{
    public static TheoryData<string, SimdWidth> Cases() => Widths.ForEach(ReferenceCases.Convolutions.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name, SimdWidth width)
    {
        var c = ReferenceCases.Convolutions.Single(x => x.Name == name);
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

    private static (float[] Y, float[] Dx, float[] Dw, float[] Db) Run<TV, TOps>(ReferenceCases.ConvCase c)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        using var arena = new NativeArena();
        var g = new Conv2dGeometry(c.InChannels, c.OutChannels, c.Height, c.Width, c.Kernel, c.Stride, c.Padding, c.Bias, TOps.Count) { Groups = c.Groups };
        var layer = new Conv2dLayer<TV, TOps>(g, 1, arena);
        float[] xs = ReferenceCases.Floats(c.Name, "x"), ws = ReferenceCases.Floats(c.Name, "w"), bs = ReferenceCases.Floats(c.Name, "b"), dys = ReferenceCases.Floats(c.Name, "dy");
        float* x = Copy(arena, xs, Conv2dGeometry.Slack), w = Copy(arena, ws, 0), b = Copy(arena, bs, 0);
        layer.Pack(w);
        var y = new float[c.N * g.OutputSize];
        var dx = new float[c.N * g.InputSize];
        var dw = new float[g.WeightCount];
        var db = new float[c.OutChannels];
        fixed (float* dwp = dw, dbp = db, dxp = dx)
        {
            for (int n = 0; n < c.N; n++)
            {
                float* wide = layer.Forward(x + n * g.InputSize, c.Bias ? b : null, 0);
                for (int co = 0; co < g.OutChannels; co++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox++)
                            y[((n * g.OutChannels + co) * g.OutHeight + oy) * g.OutWidth + ox] = wide[co * layer.OutputPlane + oy * layer.OutputRowStride + ox];
                float* dy = layer.OutputGradient(0);
                for (int co = 0; co < g.OutChannels; co++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox++)
                            dy[layer.GradientIndex(co, oy, ox)] = dys[((n * g.OutChannels + co) * g.OutHeight + oy) * g.OutWidth + ox];
                layer.Backward(x + n * g.InputSize, dxp + n * g.InputSize, dwp, c.Bias ? dbp : null, 0);
            }
        }
        return (y, dx, dw, db);
    }

    private static float* Copy(NativeArena arena, float[] values, int slack)
    {
        float* p = arena.Floats(values.Length + slack);
        values.AsSpan().CopyTo(new Span<float>(p, values.Length));
        return p;
    }
}
