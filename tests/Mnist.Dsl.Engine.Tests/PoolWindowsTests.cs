using Mnist.Dsl.Simd;
using System;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The pooling units' paths (Composition's PoolWindows: AvgPool2d of stride 1 or stride = kernel; MaxPool2dKernels' branch-free
/// MaxPool2d scan and the winners its backward routes) against PyTorch, at every vector width this
/// processor runs.
/// </summary>
public sealed unsafe class PoolWindowsTests
{
    private static readonly string[] Names = ["pool/avg-k2", "pool/avg-k3-s1", "pool/avg-k3-s3", "pool/max-k2-ties", "pool/max-k3-s2", "pool/max-k4-s1-ties",
        "pool/max-k4-s1-5x5-ties", "pool/avg-k2-s1-12x12"];

    public static TheoryData<string, SimdWidth> Cases() => Widths.ForEach(Names);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Matches_pytorch(string name, SimdWidth width)
    {
        // The max scans run at the thread's width (VectorPaths), the average windows at the instantiation's.
        using var scope = VectorPaths.Use(width);
        var (y, dx) = width switch
        {
            SimdWidth.Bits512 => Run<Vector512<float>, Vec512>(name),
            SimdWidth.Bits256 => Run<Vector256<float>, Vec256>(name),
            _ => Run<float, VecScalar>(name),
        };
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["y"], y, 1e-6, $"{name} output");
        // Exact for max pooling: a gradient routed to another tie than PyTorch's differs by a whole value.
        Tolerance.AssertClose(expected["dx"], dx, 1e-6, $"{name} input gradient");
    }

    private static (float[] Y, float[] Dx) Run<TV, TOps>(string name) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var c = ReferenceCases.Case(name);
        var shape = (int[])c["x_shape"];
        var yShape = (int[])c["y_shape"];
        int n = shape[0], channels = shape[1], h = shape[2], w = shape[3], k = (int)c["kernel"], s = (int)c["stride"];
        bool max = (string)c["op"] == "max";
        Assert.True(max || PoolWindows<TV, TOps>.RunsAverage(k, s), $"{name} is not a form PoolWindows takes");
        int inSize = channels * h * w, outSize = channels * yShape[2] * yShape[3];
        float[] x = ReferenceCases.Floats(name, "x"), dy = ReferenceCases.Floats(name, "dy");
        var y = new float[n * outSize];
        // Garbage in the gradient buffer: backward must write every input pixel, not add to what is there.
        var dx = new float[n * inSize];
        Array.Fill(dx, float.NaN);
        var argmax = new byte[n * outSize];
        var row = new float[PoolWindows<TV, TOps>.Scratch(h, w, k)];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx, prow = row)
        fixed (byte* pa = argmax)
            for (int i = 0; i < n; i++)
            {
                float* xi = px + i * inSize, yi = py + i * outSize, dyi = pdy + i * outSize, dxi = pdx + i * inSize;
                if (max)
                {
                    MaxPool2dKernels.Forward(xi, channels, h, w, k, s, yi, pa + i * outSize);
                    MaxPool2dKernels.Backward(dyi, pa + i * outSize, channels, h, w, k, s, dxi);
                }
                else
                {
                    PoolWindows<TV, TOps>.AverageForward(xi, channels, h, w, k, s, yi, prow);
                    PoolWindows<TV, TOps>.AverageBackward(dyi, channels, h, w, k, s, dxi, prow);
                }
            }
        return (y, dx);
    }
}
