using System;
using System.Globalization;
using System.Linq;
using Xunit.Sdk;

namespace Mnist.Models.Tests;

internal static class ParityAssert
{
    /// <summary>
    /// Same shape and every element within tolerance; otherwise one failure naming the network, the tensor,
    /// how many elements are off and the worst one (index, both values, difference, what was allowed).
    /// </summary>
    public static void Close(string network, string tensor, TensorValues pytorch, TensorValues ours, Tolerance tolerance)
    {
        if (!pytorch.Shape.SequenceEqual(ours.Shape))
            throw new XunitException($"{network}: {tensor} is {ours.ShapeText} here but {pytorch.ShapeText} in PyTorch.");

        var worst = -1;
        var worstExcess = 0.0;
        var outside = 0;
        for (var i = 0; i < pytorch.Values.Length; i++)
        {
            // A NaN on either side counts as out of tolerance (the subtraction makes it NaN, and NaN > x is false).
            var difference = Math.Abs(ours.Values[i] - pytorch.Values[i]);
            var excess = double.IsNaN(difference) ? double.PositiveInfinity : difference - tolerance.AllowedFor(pytorch.Values[i]);
            if (excess <= 0) continue;
            outside++;
            if (worst < 0 || excess > worstExcess) (worst, worstExcess) = (i, excess);
        }
        if (worst < 0) return;

        var (e, a) = (pytorch.Values[worst], ours.Values[worst]);
        throw new XunitException(string.Create(CultureInfo.InvariantCulture,
            $"{network}: {tensor} {pytorch.ShapeText} differs from PyTorch's in {outside} of {pytorch.Values.Length} elements. " +
            $"Worst at {pytorch.IndexText(worst)}: {a:R} here, {e:R} in PyTorch, difference {Math.Abs(a - e):E3} " +
            $"(allowed {tolerance.AllowedFor(e):E3}: {tolerance})."));
    }

    /// <summary>The largest |ours - PyTorch's| as a fraction of what the tolerance allows there (1 is the limit), for reports.</summary>
    public static double WorstFractionOfAllowed(TensorValues pytorch, TensorValues ours, Tolerance tolerance) =>
        pytorch.Values.Zip(ours.Values, (e, a) => Math.Abs(a - e) is var d && d == 0 ? 0 : d / tolerance.AllowedFor(e)).DefaultIfEmpty(0).Max();

    /// <summary>The largest |ours - PyTorch's| over the elements, for reports.</summary>
    public static double MaxDifference(TensorValues pytorch, TensorValues ours) =>
        pytorch.Values.Zip(ours.Values, (e, a) => Math.Abs(a - e)).DefaultIfEmpty(0).Max();
}
