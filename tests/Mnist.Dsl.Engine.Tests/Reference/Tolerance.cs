using System;
using Xunit;

namespace Mnist.Dsl.Engine.Tests.Reference;

internal static class Tolerance
{
    /// <summary>
    /// Every |actual - expected| within <paramref name="tolerance"/> x (scale + |expected|): float32 sums in a different
    /// order differ in the last bits relative to the magnitude of their terms, which for a sum that cancels is the
    /// tensor's typical size (pass <see cref="Rms"/>), not the element's. Reports the worst element.
    /// </summary>
    public static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double tolerance, string what, double scale = 1)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, PyTorch has {expected.Length}");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double excess = Math.Abs(actual[i] - expected[i]) / (scale + Math.Abs(expected[i]));
            if (double.IsNaN(excess) || excess > worst) { worst = double.IsNaN(excess) ? double.PositiveInfinity : excess; at = i; }
        }
        Assert.True(worst <= tolerance, $"{what}: element {at} is {(at >= 0 ? actual[at] : 0)}, PyTorch {(at >= 0 ? expected[at] : 0)} (relative error {worst:E2} > {tolerance:E0})");
    }

    /// <summary>Every |actual - expected| within <paramref name="bound"/>, an absolute bound. Reports the worst element.</summary>
    public static void AssertWithin(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double bound, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, PyTorch has {expected.Length}");
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(actual[i] - expected[i]);
            if (double.IsNaN(error) || error > worst) { worst = double.IsNaN(error) ? double.PositiveInfinity : error; at = i; }
        }
        Assert.True(worst <= bound, $"{what}: element {at} is {(at >= 0 ? actual[at] : 0)}, PyTorch {(at >= 0 ? expected[at] : 0)} (error {worst:E2} > {bound:E2})");
    }

    /// <summary>Root mean square of the values (at least 1).</summary>
    public static double Rms(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var v in values) sum += (double)v * v;
        return Math.Max(1, Math.Sqrt(sum / Math.Max(1, values.Length)));
    }
}
