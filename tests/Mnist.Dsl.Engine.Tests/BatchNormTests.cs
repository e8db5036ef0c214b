using System;
using System.Linq;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// BatchNorm2d and BatchNorm1d in training (batch statistics, running update with the unbiased variance,
/// num_batches_tracked, gradients) and evaluation, against nn.BatchNorm*; the batch split over two "threads" as the
/// trainer splits it, so the cross-thread reduction is what is tested.
/// </summary>
public sealed unsafe class BatchNormTests
{
    [Theory]
    [InlineData("bn/2d")]
    [InlineData("bn/1d")]
    public void Matches_pytorch(string name)
    {
        var c = ReferenceCases.Case(name);
        var shape = (int[])c["x_shape"];
        int n = shape[0], channels = shape[1], plane = shape.Length == 4 ? shape[2] * shape[3] : 1, size = channels * plane;
        float[] x = ReferenceCases.Floats(name, "x"), dy = (float[])ReferenceCases.Floats(name, "dy").Clone();
        float[] gamma = ReferenceCases.Floats(name, "gamma"), beta = ReferenceCases.Floats(name, "beta");
        float[] runningMean = (float[])ReferenceCases.Floats(name, "running_mean").Clone(), runningVar = (float[])ReferenceCases.Floats(name, "running_var").Clone();
        double momentum = (double)c["momentum"];
        const int threads = 2;
        var y = new float[x.Length];
        var dx = new float[x.Length];
        var evaluation = new float[x.Length];
        var sums = new double[threads * channels];
        var squares = new double[threads * channels];
        var sumDy = new double[threads * channels];
        var sumDyXhat = new double[threads * channels];
        var mean = new float[channels];
        var inverseStd = new float[channels];
        var meanDy = new float[channels];
        var meanDyXhat = new float[channels];
        // Two rows of partial sums, as two chunks would give: images [0, n/2) and [n/2, n), each about its first image.
        var shifts = new float[threads * channels];
        long[] counts = [n / 2 * plane, (n - n / 2) * plane];
        fixed (float* px = x, py = y, pdy = dy, pdx = dx, pg = gamma, pb = beta, prm = runningMean, prv = runningVar, pm = mean, pis = inverseStd, pmd = meanDy, pmdx = meanDyXhat, pe = evaluation, pshift = shifts)
        fixed (double* ps = sums, pq = squares, psd = sumDy, psdx = sumDyXhat)
        fixed (long* pcount = counts)
        {
            BatchNormKernels.FirstValues(px, channels, plane, pshift);
            BatchNormKernels.FirstValues(px + n / 2 * size, channels, plane, pshift + channels);
            for (int i = 0; i < n; i++)
                BatchNormKernels.AccumulateStatistics(px + i * size, channels, plane, pshift + Thread(i, n) * channels, ps + Thread(i, n) * channels, pq + Thread(i, n) * channels);
            BatchNormKernels.Statistics(ps, pq, threads, channels, (long)n * plane, 1e-5, pm, pis, prm, prv, momentum, pshift, pcount);
            for (int i = 0; i < n; i++) BatchNormKernels.Normalize(px + i * size, py + i * size, channels, plane, pm, pis, pg, pb);
            for (int i = 0; i < n; i++)
                BatchNormKernels.AccumulateGradientSums(pdy + i * size, px + i * size, channels, plane, pm, pis, psd + Thread(i, n) * channels, psdx + Thread(i, n) * channels);
            var dgamma = new float[channels];
            var dbeta = new float[channels];
            for (int ch = 0; ch < channels; ch++)
            {
                double s = sumDy[ch] + sumDy[channels + ch], q = sumDyXhat[ch] + sumDyXhat[channels + ch];
                meanDy[ch] = (float)(s / (n * plane));
                meanDyXhat[ch] = (float)(q / (n * plane));
                dbeta[ch] = (float)s;
                dgamma[ch] = (float)q;
            }
            for (int i = 0; i < n; i++)
                BatchNormKernels.InputGradient(pdy + i * size, px + i * size, channels, 1, plane, pm, pis, pg, pmd, pmdx, reluBefore: false,
                    pdx + i * size, plane, plane);
            BatchNormKernels.RunningStatistics(prm, prv, channels, 1e-5, pm, pis);
            for (int i = 0; i < n; i++) BatchNormKernels.Normalize(px + i * size, pe + i * size, channels, plane, pm, pis, pg, pb);

            var expected = PyTorchReference.Answer(name);
            Tolerance.AssertClose(expected["y"], y, 1e-5, $"{name} output");
            Tolerance.AssertClose(expected["running_mean"], runningMean, 1e-6, $"{name} running mean");
            Tolerance.AssertClose(expected["running_var"], runningVar, 1e-6, $"{name} running variance (unbiased)");
            Tolerance.AssertClose(expected["dx"], dx, 1e-5, $"{name} input gradient");
            Tolerance.AssertClose(expected["dgamma"], dgamma, 1e-5, $"{name} weight gradient");
            Tolerance.AssertClose(expected["dbeta"], dbeta, 1e-5, $"{name} bias gradient");
            Tolerance.AssertClose(expected["eval"], evaluation, 1e-5, $"{name} evaluation output");
            Assert.Equal(4f, expected["tracked"][0]);
        }
    }

    private static int Thread(int image, int n) => image < n / 2 ? 0 : 1;

    [Fact]
    public void Running_variance_uses_the_unbiased_estimate()
    {
        // Two values 0 and 2: biased variance 1, unbiased 2; from running var 0 with momentum 1 the result is 2.
        float[] x = [0f, 2f];
        double[] s = new double[1], q = new double[1];
        float[] mean = new float[1], inv = new float[1], rm = new float[1], rv = new float[1];
        fixed (float* px = x, pm = mean, pi = inv, prm = rm, prv = rv)
        fixed (double* ps = s, pq = q)
        {
            BatchNormKernels.AccumulateStatistics(px, 1, 2, px, ps, pq);
            BatchNormKernels.Statistics(ps, pq, 1, 1, 2, 0, pm, pi, prm, prv, 1.0);
        }
        Assert.Equal(2f, rv[0]);
        Assert.Equal(1f, inv[0]);
    }

    [Fact]
    public void A_small_variance_next_to_a_large_mean_is_kept()
    {
        // 100 + 0.01 k in two rows of 128 (two chunks): a spread of 2.56 on a mean of 101 (a convolution's bias without
        // a ReLU after it). Sums of squares about 0 lose the variance to float cancellation (0.2% off); about each
        // row's first value, combined by the rows' means, they keep it.
        const int plane = 256, half = plane / 2;
        var x = Enumerable.Range(0, plane).Select(k => 100f + 0.01f * k).ToArray();
        double mean = x.Average(v => (double)v), variance = x.Average(v => ((double)v - mean) * ((double)v - mean));
        double[] s = new double[2], q = new double[2];
        float[] m = new float[1], inv = new float[1], shifts = [x[0], x[half]];
        long[] counts = [half, half];
        fixed (float* px = x, pm = m, pi = inv, pshift = shifts)
        fixed (double* ps = s, pq = q)
        fixed (long* pcount = counts)
        {
            BatchNormKernels.AccumulateStatistics(px, 1, half, pshift, ps, pq);
            BatchNormKernels.AccumulateStatistics(px + half, 1, half, pshift + 1, ps + 1, pq + 1);
            BatchNormKernels.Statistics(ps, pq, 2, 1, plane, 0, pm, pi, null, null, 0.1, pshift, pcount);
        }
        Assert.Equal(mean, m[0], 1e-4);
        Assert.InRange(inv[0] * Math.Sqrt(variance), 1 - 1e-6, 1 + 1e-6);
    }
}
