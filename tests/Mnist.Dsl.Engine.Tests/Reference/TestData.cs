using System;

namespace Mnist.Dsl.Engine.Tests.Reference;

/// <summary>Deterministic test inputs (System.Random with a seed: the same arrays every run).</summary>
internal static class TestData
{
    public static float[] Normal(int seed, int count, double scale = 1)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++)
            values[i] = (float)(scale * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }

    public static float[] Uniform(int seed, int count, double low, double high)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)(low + (high - low) * random.NextDouble());
        return values;
    }

    /// <summary>Values on a coarse grid, so that max-pooling windows contain ties (PyTorch's first-maximum rule).</summary>
    public static float[] WithTies(int seed, int count)
    {
        var random = new Random(seed);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = random.Next(-2, 3) * 0.5f;
        return values;
    }

    public static int[] Labels(int seed, int count, int classes)
    {
        var random = new Random(seed);
        var labels = new int[count];
        for (int i = 0; i < count; i++) labels[i] = random.Next(classes);
        return labels;
    }
}
