using System;
using System.IO;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>The real MNIST sets, normalised as the trainer normalises them (no native library), loaded once for every test.</summary>
internal static class TestImages
{
    private static readonly Lazy<MnistImages> Test = new(() => Load(train: false));
    private static readonly Lazy<MnistImages> Train = new(() => Load(train: true));

    /// <summary>The 10,000 test images.</summary>
    public static MnistImages TestSet => Test.Value;

    /// <summary>The 60,000 training images (the trained weights come from their first few thousand).</summary>
    public static MnistImages TrainingSet => Train.Value;

    public static string Folder => MnistImages.DefaultFolder();

    private static MnistImages Load(bool train)
    {
        try
        {
            return MnistImages.Load(Folder, train);
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidOperationException($"These tests run on the real MNIST, which is not in {Folder}: run ./build.sh fetch-data, or set MNIST_DIR. ({e.Message})", e);
        }
    }
}
