using System;
using System.Globalization;

namespace Mnist.Inference.Tests;

/// <summary>
/// Two sets of outputs for the same images side by side: the largest difference, the predicted classes that differ,
/// and each side's correct count. A prediction may differ only where the reference's top two outputs lie within
/// the tolerance of each other (a tie float32 cannot settle); those are counted apart.
/// </summary>
public sealed record OutputComparison(double MaxDifference, int MaxDifferenceImage, int DifferentPredictions, int NearTies, int ReferenceCorrect, int CandidateCorrect)
{
    public static OutputComparison Of(float[] reference, float[] candidate, long[] labels, int classes, double tolerance)
    {
        if (reference.Length != candidate.Length) throw new ArgumentException($"{reference.Length} reference outputs but {candidate.Length} candidate ones.");
        double max = 0;
        int maxImage = -1, different = 0, ties = 0, referenceCorrect = 0, candidateCorrect = 0;
        for (var n = 0; n < reference.Length / classes; n++)
        {
            var r = reference.AsSpan(n * classes, classes);
            var c = candidate.AsSpan(n * classes, classes);
            for (var k = 0; k < classes; k++)
            {
                var d = Math.Abs((double)r[k] - c[k]);
                if (!(d <= max)) { max = d; maxImage = n; } // NaN counts as the largest
            }
            int rBest = ArgMax(r), cBest = ArgMax(c);
            if (rBest == labels[n]) referenceCorrect++;
            if (cBest == labels[n]) candidateCorrect++;
            if (rBest == cBest) continue;
            if (Math.Abs(r[rBest] - r[cBest]) <= tolerance) ties++;
            else different++;
        }
        return new OutputComparison(max, maxImage, different, ties, referenceCorrect, candidateCorrect);
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var k = 1; k < values.Length; k++) if (values[k] > values[best]) best = k;
        return best;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"max |difference| {MaxDifference:E2} (image {MaxDifferenceImage}), {DifferentPredictions} different predictions, {NearTies} near-ties, correct: reference {ReferenceCorrect}, candidate {CandidateCorrect}");
}
