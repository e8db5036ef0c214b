using System;
using Mnist.Dsl.Engine.Layers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Dropout's masks come from our hash, not PyTorch's generator, so these check the contract instead: the drop rate,
/// the 1 / (1 - p) scale, the same mask in backward as in forward, and independence from how the batch is split.
/// </summary>
public sealed unsafe class DropoutTests
{
    [Theory]
    [InlineData(0.05)]
    [InlineData(0.5)]
    public void Drops_about_p_and_scales_the_rest(double p)
    {
        const int n = 200_000;
        var x = new float[n];
        Array.Fill(x, 1f);
        fixed (float* px = x) DropoutMask.Apply(px, n, 0, DropoutMask.Key(1, 0, 0), p);
        int dropped = 0;
        float kept = (float)(1 / (1 - p));
        foreach (var v in x)
        {
            if (v == 0) dropped++;
            else Assert.Equal(kept, v);
        }
        // Binomial standard deviation sqrt(n p (1 - p)) is at most ~224 here; 5 of them.
        Assert.InRange(dropped, n * p - 1200, n * p + 1200);
    }

    [Fact]
    public void Backward_uses_the_forward_mask_and_any_split_gives_the_same_mask()
    {
        const int n = 1000;
        uint key = DropoutMask.Key(5, 3, 2);
        var whole = new float[n];
        var halves = new float[n];
        Array.Fill(whole, 1f);
        Array.Fill(halves, 1f);
        fixed (float* pw = whole, ph = halves)
        {
            DropoutMask.Apply(pw, n, 0, key, 0.3);
            DropoutMask.Apply(ph, 333, 0, key, 0.3);
            DropoutMask.Apply(ph + 333, n - 333, 333, key, 0.3);
        }
        Assert.Equal(whole, halves);
        var gradient = new float[n];
        Array.Fill(gradient, 2f);
        fixed (float* pg = gradient) DropoutMask.Apply(pg, n, 0, key, 0.3);
        for (int i = 0; i < n; i++) Assert.Equal(whole[i] * 2, gradient[i]);
    }

    [Fact]
    public void Dropout2d_keeps_or_zeroes_whole_channels()
    {
        const int channels = 64, plane = 9;
        var x = new float[channels * plane];
        Array.Fill(x, 1f);
        fixed (float* px = x) DropoutMask.ApplyChannels(px, channels, plane, 0, DropoutMask.Key(2, 0, 0), 0.5);
        int zeroChannels = 0;
        for (int c = 0; c < channels; c++)
        {
            var row = x.AsSpan(c * plane, plane);
            Assert.True(row.IndexOfAnyExcept(row[0]) < 0, $"channel {c} is partly dropped");
            Assert.Contains(row[0], new[] { 0f, 2f });
            if (row[0] == 0) zeroChannels++;
        }
        Assert.InRange(zeroChannels, 16, 48);
    }

    [Fact]
    public void The_fused_passes_equal_the_separate_ones()
    {
        // Odd sizes: vector bodies and scalar tails both run. The trainer uses the fused forms; the separate ones are
        // what the contract tests above (and PyTorch's definition) describe.
        const int channels = 3, plane = 37, first = 1000;
        const double p = 0.2;
        uint key = DropoutMask.Key(9, 4, 1);
        var x = Reference.TestData.Normal(50, channels * plane);
        var dy = Reference.TestData.Normal(51, channels * plane);
        float[] mean = [0.1f, -0.2f, 0.3f], inverseStd = [1.5f, 0.7f, 1.1f], gamma = [0.9f, 1.2f, 0.8f], beta = [0.05f, -0.1f, 0.2f];
        var separate = new float[x.Length];
        var fused = new float[x.Length];
        var dySeparate = (float[])dy.Clone();
        var dyFused = (float[])dy.Clone();
        double[] s1 = new double[channels], q1 = new double[channels], s2 = new double[channels], q2 = new double[channels];
        fixed (float* px = x, ps = separate, pf = fused, pm = mean, pi = inverseStd, pg = gamma, pb = beta, pds = dySeparate, pdf = dyFused)
        fixed (double* ps1 = s1, pq1 = q1, ps2 = s2, pq2 = q2)
        {
            BatchNormKernels.Normalize(px, ps, channels, plane, pm, pi, pg, pb);
            DropoutMask.Apply(ps, channels * plane, first, key, p);
            for (int c = 0; c < channels; c++)
            {
                float scale = inverseStd[c] * gamma[c];
                DropoutMask.AffineThenApply(px + c * plane, pf + c * plane, plane, scale, beta[c] - mean[c] * scale, (uint)(first + c * plane), key, p);
            }

            DropoutMask.Apply(pds, channels * plane, first, key, p);
            BatchNormKernels.AccumulateGradientSums(pds, px, channels, plane, pm, pi, ps1, pq1);
            BatchNormKernels.DropoutBackwardAndGradientSums(pdf, px, channels, plane, pm, pi, first, key, p, ps2, pq2);
        }
        Assert.Equal(separate, fused);
        Assert.Equal(dySeparate, dyFused);
        Assert.Equal(s1, s2);
        Assert.Equal(q1, q2);
        Assert.Contains(0f, fused);
    }
}
