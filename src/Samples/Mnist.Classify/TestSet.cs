using System.IO;
using Mnist.Dsl.Data;

namespace Mnist.Classify;

/// <summary>
/// The MNIST test set, read with Mnist.Dsl's IDX reader (no runtime: the netstandard2.0 library this program
/// already references) and normalised as the trainer does: (pixel / 255 − 0.1307) / 0.3081, in float32.
/// </summary>
internal static class TestSet
{
    private const float Mean = 0.1307f, Std = 0.3081f;
    private const int Side = 28;

    public static (float[] Images, byte[] Labels) Load(string folder)
    {
        var (imagesPath, labelsPath) = MnistFiles.LocateSet(folder, train: false);
        var (images, labels) = IdxFile.ReadPair(imagesPath, labelsPath);
        var shape = images.Shape;
        if (shape[1] != Side || shape[2] != Side)
            throw new InvalidDataException($"{imagesPath}: images are {shape[1]}x{shape[2]} pixels; MNIST images are {Side}x{Side}.");
        var pixels = images.Data;
        var normalised = new float[pixels.Length];
        for (var i = 0; i < pixels.Length; i++) normalised[i] = (pixels[i] / 255f - Mean) / Std;
        return (normalised, labels.Data);
    }
}
