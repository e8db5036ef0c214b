using Mnist.Dsl.Simd;
using System;
using System.Linq;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>MaxPool2d (with ties), AvgPool2d, global average pooling, Linear, ReLU, LeakyReLU, Tanh, LogSoftmax + NLL and cross-entropy against PyTorch.</summary>
public sealed unsafe class LayerTests
{
    [Theory]
    [InlineData("pool/max-k2-ties")]
    [InlineData("pool/max-k3-s2")]
    [InlineData("pool/avg-k2")]
    [InlineData("pool/gap")]
    public void Pooling_matches_pytorch(string name)
    {
        var c = ReferenceCases.Case(name);
        var shape = (int[])c["x_shape"];
        var yShape = (int[])c["y_shape"];
        int n = shape[0], channels = shape[1], h = shape[2], w = shape[3], k = (int)c["kernel"], s = (int)c["stride"];
        int inSize = channels * h * w, outSize = channels * yShape[2] * yShape[3];
        float[] x = ReferenceCases.Floats(name, "x"), dy = ReferenceCases.Floats(name, "dy");
        var y = new float[n * outSize];
        var dx = new float[n * inSize];
        var argmax = new byte[n * outSize];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        fixed (byte* pa = argmax)
        {
            for (int i = 0; i < n; i++)
            {
                float* xi = px + i * inSize, yi = py + i * outSize, dyi = pdy + i * outSize, dxi = pdx + i * inSize;
                switch ((string)c["op"])
                {
                    case "max":
                        MaxPool2dKernels.Forward(xi, channels, h, w, k, s, yi, pa + i * outSize);
                        MaxPool2dKernels.Backward(dyi, pa + i * outSize, channels, h, w, k, s, dxi);
                        break;
                    case "avg":
                        AvgPool2dKernels.Forward(xi, channels, h, w, k, s, yi);
                        AvgPool2dKernels.Backward(dyi, channels, h, w, k, s, dxi);
                        break;
                    default:
                        AvgPool2dKernels.GlobalForward(xi, channels, h * w, yi);
                        AvgPool2dKernels.GlobalBackward(dyi, channels, h, w, dxi, h * w, w);
                        break;
                }
            }
        }
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["y"], y, 1e-6, $"{name} output");
        // Exact for max pooling: a gradient routed to another tie than PyTorch's differs by a whole value.
        Tolerance.AssertClose(expected["dx"], dx, 1e-6, $"{name} input gradient");
    }

    public static TheoryData<string, SimdWidth> LinearCases() => Widths.ForEach(["linear/bias", "linear/no-bias", "linear/wide"]);

    /// <summary>Forward and backward over all samples at once (as LinearUnit runs a chunk: "linear/wide" has a run of 8 samples
    /// on the lanes and 3 more), at every width.</summary>
    [Theory]
    [MemberData(nameof(LinearCases))]
    public void Linear_matches_pytorch(string name, SimdWidth width)
    {
        var c = ReferenceCases.Case(name);
        bool bias = (bool)c["bias"];
        int samples = ((int[])c["x_shape"])[0], inFeatures = ((int[])c["x_shape"])[1], outFeatures = ((int[])c["w_shape"])[0];
        float[] x = ReferenceCases.Floats(name, "x"), w = ReferenceCases.Floats(name, "w"), b = ReferenceCases.Floats(name, "b"), dy = ReferenceCases.Floats(name, "dy");
        var y = new float[samples * outFeatures];
        var dx = new float[samples * inFeatures];
        var dw = new float[outFeatures * inFeatures];
        var db = new float[outFeatures];
        using (VectorPaths.Use(width))
        fixed (float* px = x, pw = w, pb = b, pdy = dy, py = y, pdx = dx, pdw = dw, pdb = db)
        {
            float* scratch = stackalloc float[LinearKernels.Scratch(inFeatures)];
            LinearKernels.Forward(px, inFeatures, pw, bias ? pb : null, outFeatures, py, samples, scratch);
            LinearKernels.Backward(px, inFeatures, pw, outFeatures, pdy, pdw, bias ? pdb : null, pdx, samples);
        }
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["y"], y, 1e-6, "output");
        Tolerance.AssertClose(expected["dx"], dx, 1e-6, "input gradient");
        Tolerance.AssertClose(expected["dw"], dw, 1e-6, "weight gradient");
        if (bias) Tolerance.AssertClose(expected["db"], db, 1e-6, "bias gradient");
    }

    /// <summary>The vector widths give the plain loops' bits (the scalar width runs them): products rounded, then added, in order.</summary>
    [Fact]
    public void Linear_at_every_width_gives_the_plain_loops_bits()
    {
        const int samples = 11, inFeatures = 75, outFeatures = 7;
        var random = new Random(3);
        float[] Draw(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        float[] x = Draw(samples * inFeatures), w = Draw(outFeatures * inFeatures), b = Draw(outFeatures), dy = Draw(samples * outFeatures);
        float[] Run(SimdWidth width)
        {
            var y = new float[samples * outFeatures];
            var dx = new float[samples * inFeatures];
            var dw = new float[outFeatures * inFeatures];
            var db = new float[outFeatures];
            using (VectorPaths.Use(width))
            fixed (float* px = x, pw = w, pb = b, pdy = dy, py = y, pdx = dx, pdw = dw, pdb = db)
            {
                float* scratch = stackalloc float[LinearKernels.Scratch(inFeatures)];
                LinearKernels.Forward(px, inFeatures, pw, pb, outFeatures, py, samples, scratch);
                LinearKernels.Backward(px, inFeatures, pw, outFeatures, pdy, pdw, pdb, pdx, samples);
            }
            return [.. y, .. dx, .. dw, .. db];
        }
        var plain = Run(SimdWidth.Scalar);
        foreach (var width in Widths.Accelerated()) Assert.Equal(plain, Run(width));
    }

    [Fact]
    public void Relu_matches_pytorch_including_zero()
    {
        float[] x = ReferenceCases.Floats("relu", "x"), dy = ReferenceCases.Floats("relu", "dy");
        Assert.Contains(0f, x);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            ReluKernels.Forward(px, py, x.Length);
            ReluKernels.Backward(py, pdy, pdx, x.Length);
        }
        var expected = PyTorchReference.Answer("relu");
        Tolerance.AssertClose(expected["y"], y, 0, "output");
        Tolerance.AssertClose(expected["dx"], dx, 0, "input gradient");
    }

    public static TheoryData<double> LeakyReluSlopes => new(ReferenceCases.LeakyReluSlopes);

    [Theory]
    [MemberData(nameof(LeakyReluSlopes))]
    public void Leaky_relu_matches_pytorch_including_zero(double slope)
    {
        var name = ReferenceCases.LeakyReluCase(slope);
        float[] x = ReferenceCases.Floats(name, "x"), dy = ReferenceCases.Floats(name, "dy");
        Assert.Contains(0f, x);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            LeakyReluKernels.Forward(px, py, x.Length, (float)slope);
            LeakyReluKernels.Backward(px, pdy, pdx, x.Length, (float)slope);
        }
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["y"], y, 0, "output");
        Tolerance.AssertClose(expected["dx"], dx, 0, "input gradient");
    }

    /// <summary>
    /// Tanh against torch.tanh and its backward at every vector width this processor runs: the rational approximation is
    /// within 4e-7 of tanh and PyTorch's kernel within a few units in the last place of it, so the output agrees to
    /// 1e-6 (of 1 + |y|), and the gradient dy·(1 − y²) to 1e-6 of the gradient's size; saturated values (|x| past 9)
    /// give exactly ±1 and a zero gradient in both.
    /// </summary>
    [Theory]
    [MemberData(nameof(Widths.Available), MemberType = typeof(Widths))]
    public void Tanh_matches_pytorch_at_every_width(SimdWidth width)
    {
        float[] x = ReferenceCases.Floats("tanh", "x"), dy = ReferenceCases.Floats("tanh", "dy");
        Assert.Contains(x, v => Math.Abs(v) > TanhKernel.Clamp);
        var (y, dx) = width switch
        {
            SimdWidth.Bits512 => Tanh<Vector512<float>, Vec512>(x, dy),
            SimdWidth.Bits256 => Tanh<Vector256<float>, Vec256>(x, dy),
            _ => Tanh<float, VecScalar>(x, dy),
        };
        var expected = PyTorchReference.Answer("tanh");
        Tolerance.AssertClose(expected["y"], y, 1e-6, $"{width} output");
        Tolerance.AssertClose(expected["dx"], dx, 1e-6, $"{width} input gradient", Tolerance.Rms(expected["dx"]));
        for (var i = 0; i < x.Length; i++)
            if (Math.Abs(x[i]) > TanhKernel.Clamp) Assert.True(Math.Abs(y[i]) == 1 && dx[i] == 0, $"{width}: tanh({x[i]}) = {y[i]}, gradient {dx[i]}");
    }

    private static (float[] Y, float[] Dx) Tanh<TV, TOps>(float[] x, float[] dy) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            TanhKernels.Forward<TV, TOps>(px, py, x.Length);
            TanhKernels.Backward<TV, TOps>(py, pdy, pdx, x.Length);
        }
        return (y, dx);
    }

    [Theory]
    [InlineData("loss/log-softmax-nll")]
    [InlineData("loss/cross-entropy")]
    public void Losses_match_pytorch(string name)
    {
        float[] x = ReferenceCases.Floats(name, "x");
        var labels = (int[])ReferenceCases.Case(name)["labels"];
        var logp = new float[x.Length];
        var dx = new float[x.Length];
        var dlogp = new float[x.Length];
        var separate = new float[x.Length];
        double loss = 0;
        fixed (float* px = x, pl = logp, pdx = dx, pdl = dlogp, ps = separate)
            for (int i = 0; i < 5; i++)
            {
                loss += LossKernels.LogSoftmaxNll(px + i * 10, 10, labels[i], 5, pl + i * 10, pdx + i * 10);
                // The unfused pair must agree with the fused gradient: NLL's gradient through LogSoftmax's backward.
                LossKernels.NllBackward(10, labels[i], 5, pdl + i * 10);
                LossKernels.LogSoftmaxBackward(pl + i * 10, pdl + i * 10, 10, ps + i * 10);
                Assert.Equal(-pl[i * 10 + labels[i]], LossKernels.Nll(pl + i * 10, labels[i]));
            }
        var expected = PyTorchReference.Answer(name);
        Tolerance.AssertClose(expected["loss"], [(float)(loss / 5)], 1e-6, "loss");
        Tolerance.AssertClose(expected["dx"], dx, 1e-6, "input gradient (fused)");
        Tolerance.AssertClose(expected["dx"], separate, 1e-6, "input gradient (LogSoftmax backward of NLL backward)");
        if (expected.TryGetValue("logp", out var expectedLogp))
        {
            Tolerance.AssertClose(expectedLogp, logp, 1e-6, "log-probabilities");
            Tolerance.AssertClose(expected["dlogp"], dlogp, 0, "NLL gradient");
        }
    }
}
