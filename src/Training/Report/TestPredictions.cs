using Mnist.Dsl.Data;
using Mnist.Dsl.Inference;

namespace Mnist.Dsl.Training.Report;

/// <summary>
/// What a network's inference class answers on every image of the MNIST test set (the first <c>limit</c>, as the run
/// evaluated): the predicted class and its probability, beside the label and the raw pixels to show. No native library.
/// </summary>
internal sealed class TestPredictions(byte[] pixels, byte[] labels, int[] predicted, float[] confidence, int classes)
{
    private const int Batch = 1000;

    /// <summary>The test images as stored in the IDX file, [Count][784] bytes.</summary>
    public byte[] Pixels { get; } = pixels;

    public byte[] Labels { get; } = labels;

    /// <summary>The class with the highest output (the first of equal ones, as argmax).</summary>
    public int[] Predicted { get; } = predicted;

    /// <summary>The softmax probability of the predicted class.</summary>
    public float[] Confidence { get; } = confidence;

    public int Classes { get; } = classes;

    public int Count => Labels.Length;

    public int Correct => Enumerable.Range(0, Count).Count(i => Predicted[i] == Labels[i]);

    public ReadOnlySpan<byte> Image(int index) => Pixels.AsSpan(index * MnistImages.Pixels, MnistImages.Pixels);

    /// <summary>[label, predicted] counts.</summary>
    public int[,] ConfusionMatrix()
    {
        var matrix = new int[Classes, Classes];
        for (var i = 0; i < Count; i++) matrix[Labels[i], Predicted[i]]++;
        return matrix;
    }

    /// <summary>The wrongly classified images, the most confident mistakes first (ties by index).</summary>
    public IReadOnlyList<int> Mistakes() =>
        Enumerable.Range(0, Count).Where(i => Predicted[i] != Labels[i]).OrderByDescending(i => Confidence[i]).ThenBy(i => i).ToList();

    public static TestPredictions Compute(INetworkInference network, string dataFolder, int limit, int threads)
    {
        var (imagesPath, labelsPath) = MnistFiles.LocateSet(dataFolder, train: false);
        var (images, labelFile) = MnistImages.ReadSet(imagesPath, labelsPath);
        var count = (int)(limit <= 0 ? labelFile.Count : Math.Min(limit, labelFile.Count));
        var pixels = images.Data.AsSpan(0, count * MnistImages.Pixels).ToArray();
        var labels = labelFile.Data.AsSpan(0, count).ToArray();
        if (network.InputLength != MnistImages.Pixels)
            throw new InvalidDataException($"{network.Network} takes {network.InputLength} floats per image, not MNIST's {MnistImages.Pixels}.");

        var classes = network.Classes;
        var predicted = new int[count];
        var confidence = new float[count];
        var input = new float[Batch * MnistImages.Pixels];
        var outputs = new float[Batch * classes];
        for (var start = 0; start < count; start += Batch)
        {
            var n = Math.Min(Batch, count - start);
            for (var p = 0; p < n * MnistImages.Pixels; p++) input[p] = MnistImages.Normalize(pixels[start * MnistImages.Pixels + p]);
            network.PredictBatch(input.AsMemory(0, n * MnistImages.Pixels), outputs.AsMemory(0, n * classes), Math.Max(1, threads));
            for (var i = 0; i < n; i++)
            {
                var row = outputs.AsSpan(i * classes, classes);
                var probabilities = Softmax(row);
                var best = 0;
                for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                predicted[start + i] = best;
                confidence[start + i] = probabilities[best];
            }
        }
        return new TestPredictions(pixels, labels, predicted, confidence, classes);
    }

    /// <summary>
    /// Probabilities from a network's outputs: softmax, which gives the probabilities back from LogSoftmax's outputs
    /// (the registry's networks end in it) and from raw scores alike.
    /// </summary>
    public static float[] Softmax(ReadOnlySpan<float> outputs)
    {
        var max = float.NegativeInfinity;
        foreach (var v in outputs) max = Math.Max(max, v);
        var result = new float[outputs.Length];
        double sum = 0;
        for (var c = 0; c < outputs.Length; c++) sum += result[c] = MathF.Exp(outputs[c] - max);
        for (var c = 0; c < outputs.Length; c++) result[c] = (float)(result[c] / sum);
        return result;
    }
}
