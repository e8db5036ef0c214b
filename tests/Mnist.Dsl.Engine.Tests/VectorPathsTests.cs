using System;
using System.Linq;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Simd;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Every kernel run through <see cref="VectorPaths"/> (ReLU, LeakyReLU, the convolution epilogue, BatchNorm, dropout,
/// MaxPool2d(2), LogSoftmax, the row copy, the gradient reduction) computes at each vector width of this processor
/// what it computes at the scalar width, the width set on this thread: equal where the kernel only selects, copies or
/// scales, within float rounding where it sums (lanes are added in another order). Sizes leave tails past whole
/// vectors. That the scalar width really is scalar is ScalarSwitchTests'; the whole trainer at
/// <see cref="SimdWidth.Scalar"/> is checked against PyTorch by SampleNetworkTrainerTests.
/// </summary>
public sealed unsafe class VectorPathsTests
{
    private const int Channels = 3, Height = 13, Width = 13, Plane = Height * Width;

    [Fact]
    public void The_width_is_per_thread_and_restored()
    {
        var before = VectorPaths.Width;
        using (VectorPaths.Use(SimdWidth.Scalar)) Assert.Equal(SimdWidth.Scalar, VectorPaths.Width);
        Assert.Equal(before, VectorPaths.Width);
        // Without a trainer's width the process's applies: MNIST_ENGINE_SIMD, else the widest accelerated.
        Assert.Equal(SimdWidths.Best(), before);
        // Never wider than the process's: a software Vector512 would be far slower than scalar code.
        using (VectorPaths.Use(SimdWidth.Bits512)) Assert.Equal(SimdWidths.AtMost(SimdWidth.Bits512, before), VectorPaths.Width);
    }

    [Fact]
    public void Leaky_relu_forward_and_backward() => Agree(0, () =>
    {
        var x = Values(12, Channels * Plane);
        var dy = Values(13, x.Length);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            LeakyReluKernels.Forward(px, py, x.Length, 0.1f);
            LeakyReluKernels.Backward(px, pdy, pdx, x.Length, 0.1f);
        }
        return y.Concat(dx).ToArray();
    });

    [Theory]
    [InlineData(1)] // a vector of features: one pixel, every lane a tail
    [InlineData(Plane)]
    public void Log_softmax_forward_and_backward(int plane) => Agree(1e-5, () =>
    {
        const int classes = 10;
        var x = Values(14, classes * plane).Select(v => 4 * v).ToArray();
        var dy = Values(15, x.Length);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            LogSoftmaxKernels.Forward(px, py, classes, plane);
            LogSoftmaxKernels.Backward(py, pdy, pdx, classes, plane);
        }
        return y.Concat(dx).ToArray();
    });

    [Fact]
    public void Gradient_reduction() => Agree(0, () =>
    {
        var g = Values(16, 1000);
        var sum = Values(17, g.Length);
        fixed (float* pg = g, ps = sum) ReductionKernels.AddAndClear(pg, ps, 3, 997);
        return g.Concat(sum).ToArray();
    });

    [Fact]
    public void Relu_forward_and_backward() => Agree(0, () =>
    {
        var x = Values(1, Channels * Plane);
        var dy = Values(2, x.Length);
        var y = new float[x.Length];
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        {
            ReluKernels.Forward(px, py, x.Length);
            ReluKernels.Backward(py, pdy, pdx, x.Length);
        }
        return y.Concat(dx).ToArray();
    });

    [Theory]
    [InlineData(13)] // a row longer than a vector, with a tail
    [InlineData(4)] // a row shorter than any vector: the masked tail only
    public void Convolution_epilogue_relu_and_statistics(int width) => Agree(1e-6, () =>
    {
        int wideRow = width + 2, widePlane = Height * wideRow;
        var wide = Values(3, Channels * widePlane + 64);
        var output = new float[Channels * Height * width];
        var sums = new double[2 * Channels];
        fixed (float* pw = wide, po = output)
        fixed (double* ps = sums)
            ConvEpilogue.ReluWithStatistics(pw, widePlane, wideRow, Channels, Height, width, po, ps, ps + Channels);
        return output.Concat(sums.Select(s => (float)s)).ToArray();
    });

    [Fact]
    public void Batch_norm_statistics_normalisation_and_gradient_sums() => Agree(1e-5, () =>
    {
        var x = Values(4, Channels * Plane);
        var dy = Values(5, x.Length);
        var shift = new float[] { 0.1f, -0.2f, 0.3f };
        var mean = new float[] { 0.05f, -0.1f, 0.2f };
        var inverseStd = new float[] { 1.5f, 0.7f, 2.0f };
        var gamma = new float[] { 0.9f, 1.1f, -0.5f };
        var beta = new float[] { 0.2f, 0f, -0.3f };
        var y = new float[x.Length];
        var sums = new double[8 * Channels];
        var dropped = (float[])dy.Clone();
        fixed (float* px = x, pdy = dy, py = y, psh = shift, pm = mean, pis = inverseStd, pg = gamma, pb = beta, pdr = dropped)
        fixed (double* ps = sums)
        {
            BatchNormKernels.AccumulateStatistics(px, Channels, Plane, psh, ps, ps + Channels);
            BatchNormKernels.Normalize(px, py, Channels, Plane, pm, pis, pg, pb);
            BatchNormKernels.AccumulateGradientSums(pdy, px, Channels, Plane, pm, pis, ps + 2 * Channels, ps + 3 * Channels);
            BatchNormKernels.DropoutBackwardAndGradientSums(pdr, px, Channels, Plane, pm, pis, 17, 0xC0FFEEu, 0.3, ps + 4 * Channels, ps + 5 * Channels);
        }
        return y.Concat(dropped).Concat(sums.Select(s => (float)s)).ToArray();
    });

    [Theory]
    [InlineData(false, 0)] // a compact destination: vectors and a scalar tail
    [InlineData(true, 0)]
    [InlineData(false, 3)] // a padded-wide destination: masked whole vectors
    [InlineData(true, 3)]
    public void Batch_norm_input_gradient(bool reluBefore, int padding) => Agree(1e-6, () =>
    {
        var x = Values(6, Channels * Plane).Select(v => reluBefore ? Math.Max(v, 0) : v).ToArray();
        var dy = Values(7, x.Length);
        int dxRow = Width + padding, dxPlane = Height * dxRow;
        var dx = new float[Channels * dxPlane + 64];
        var mean = new float[] { 0.05f, -0.1f, 0.2f };
        var inverseStd = new float[] { 1.5f, 0.7f, 2.0f };
        var gamma = new float[] { 0.9f, 1.1f, -0.5f };
        var meanDy = new float[] { 0.01f, -0.02f, 0.03f };
        var meanDyXhat = new float[] { -0.1f, 0.05f, 0.2f };
        fixed (float* px = x, pdy = dy, pdx = dx, pm = mean, pis = inverseStd, pg = gamma, pmd = meanDy, pmdx = meanDyXhat)
            BatchNormKernels.InputGradient(pdy, px, Channels, Height, Width, pm, pis, pg, pmd, pmdx, reluBefore, pdx, dxPlane, dxRow);
        return dx;
    });

    [Fact]
    public void Dropout_masks() => Agree(0, () =>
    {
        var data = Values(8, Channels * Plane);
        var affine = new float[data.Length];
        fixed (float* pd = data, pa = affine)
        {
            DropoutMask.AffineThenApply(pd, pa, data.Length, 1.5f, -0.25f, 5, 0xBEEFu, 0.2);
            DropoutMask.Apply(pd, data.Length, 5, 0xBEEFu, 0.2);
        }
        return data.Concat(affine).ToArray();
    });

    [Fact]
    public void Max_pool_2x2_forward_and_backward() => Agree(0, () =>
    {
        const int height = 26, width = 26, ho = height / 2, wo = width / 2;
        var x = Values(9, Channels * height * width);
        x[5] = float.NaN; // NaN wins in both paths
        x[100] = x[101]; // a tie: the first maximum wins
        var y = new float[Channels * ho * wo];
        var argmax = new byte[y.Length];
        var dy = Values(10, y.Length);
        var dx = new float[x.Length];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx)
        fixed (byte* pa = argmax)
        {
            MaxPool2dKernels.Forward(px, Channels, height, width, 2, 2, py, pa);
            MaxPool2dKernels.Backward(pdy, pa, Channels, height, width, 2, 2, pdx);
        }
        return y.Concat(argmax.Select(a => (float)a)).Concat(dx).ToArray();
    });

    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(13)]
    [InlineData(30)]
    public void Row_copy(int count) => Agree(0, () =>
    {
        var source = Values(11, count);
        var destination = new float[count + 16];
        fixed (float* ps = source, pd = destination) RowCopy.Copy(ps, pd, count);
        return destination;
    });

    /// <summary>Runs <paramref name="kernel"/> at each width this processor accelerates and at the scalar width, and compares.</summary>
    private static void Agree(double relativeTolerance, Func<float[]> kernel)
    {
        float[] scalar;
        using (VectorPaths.Use(SimdWidth.Scalar)) scalar = kernel();
        foreach (var width in new[] { SimdWidth.Bits256, SimdWidth.Bits512 }.Where(w => SimdWidths.AtMost(w, SimdWidths.Best()) == w))
        {
            float[] vector;
            using (VectorPaths.Use(width)) vector = kernel();
            Assert.Equal(vector.Length, scalar.Length);
            for (int i = 0; i < vector.Length; i++)
            {
                if (float.IsNaN(vector[i]) && float.IsNaN(scalar[i])) continue;
                double tolerance = relativeTolerance * Math.Max(1.0, Math.Abs(scalar[i]));
                Assert.True(Math.Abs(vector[i] - scalar[i]) <= tolerance, $"value {i}: {width} {vector[i]:R}, scalar {scalar[i]:R}");
            }
        }
    }

    private static float[] Values(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }
}
