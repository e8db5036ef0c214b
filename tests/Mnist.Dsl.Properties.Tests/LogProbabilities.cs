using System;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>What the engine's loss makes of a network that ends in logits, for the tests that compare other outputs with it.</summary>
internal static class LogProbabilities
{
    /// <summary>log_softmax over each row of <paramref name="classes"/> values, in double.</summary>
    public static float[] Of(float[] logits, int classes)
    {
        var result = new float[logits.Length];
        for (var row = 0; row < logits.Length; row += classes)
        {
            var values = logits.AsSpan(row, classes);
            double max = double.NegativeInfinity;
            foreach (var v in values) max = Math.Max(max, v);
            double sum = 0;
            foreach (var v in values) sum += Math.Exp(v - max);
            for (var c = 0; c < classes; c++) result[row + c] = (float)(values[c] - max - Math.Log(sum));
        }
        return result;
    }
}
