using System;
using System.IO;
using Mnist.Dsl.Training.Data;

namespace Mnist.Inference.Tests;

/// <summary>The 10,000 MNIST test images, normalised by Mnist.Dsl.Training as the trainer does, loaded once for every test.</summary>
public static class TestSet
{
    private static readonly Lazy<(float[] Images, long[] Labels)> Loaded = new(() =>
    {
        var folder = MnistDataset.DefaultFolder();
        if (!File.Exists(Path.Combine(folder, "t10k-labels-idx1-ubyte")) && !File.Exists(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz")))
            throw new InvalidOperationException($"These tests run on the real MNIST test set, which is not in {folder}: run ./build.sh fetch-data, or set MNIST_DIR.");
        using var set = MnistDataset.Load(folder, train: false);
        return (set.Images.data<float>().ToArray(), set.Labels.data<long>().ToArray());
    });

    public const int ImageLength = 28 * 28;

    /// <summary>Float32 [10000 × 1 × 28 × 28], image after image.</summary>
    public static float[] Images => Loaded.Value.Images;

    public static long[] Labels => Loaded.Value.Labels;

    public static int Count => Labels.Length;
}
