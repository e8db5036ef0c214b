using System;
using System.Collections.Generic;

namespace Mnist.Plots;

/// <summary>Axis ranges rounded outward to "nice" steps (1, 2 or 5 times a power of ten) and the ticks on them.</summary>
internal static class Ticks
{
    public static (double Min, double Max, double Step) Nice(double min, double max, int wanted = 5)
    {
        if (!double.IsFinite(min) || !double.IsFinite(max)) (min, max) = (0, 1);
        if (max - min < 1e-12 * Math.Max(1, Math.Abs(max))) (min, max) = (min - 0.5, max + 0.5);
        var rough = (max - min) / wanted;
        var power = Math.Pow(10, Math.Floor(Math.Log10(rough)));
        var step = new[] { 1.0, 2, 5, 10 }.First(m => m * power >= rough) * power;
        return (Math.Floor(min / step) * step, Math.Ceiling(max / step) * step, step);
    }

    public static IEnumerable<double> Between(double min, double max, double step)
    {
        for (var i = 0; min + i * step <= max + step * 1e-9; i++) yield return min + i * step;
    }

    private static double First(this double[] multiples, Func<double, bool> ok)
    {
        foreach (var m in multiples) if (ok(m)) return m;
        return multiples[^1];
    }
}
