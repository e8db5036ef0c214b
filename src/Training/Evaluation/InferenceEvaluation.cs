namespace Mnist.Dsl.Training.Evaluation;

/// <summary>Saved weights on the MNIST test set through the network's generated inference class: no native library.</summary>
internal static class InferenceEvaluation
{
    private const int Batch = 1000;

    public static (double Loss, long Correct, long Count) Run(RegisteredNetwork entry, IEnumerable<RegisteredNetwork> known, string weightsPath,
        string dataFolder,
        int threads, int limit)
    {
        // A file of another known network says which one it fits, as the torch path's LoadWeights says it.
        var shapes = SafeTensorsFile.Read(weightsPath, out _).ToDictionary(t => t.Key, t => (IReadOnlyList<long>)t.Value.Shape);
        if (WeightsFit.OtherNetworkMessage(weightsPath, entry, shapes, known) is { } other) throw new InvalidDataException(other);
        var network = entry.LoadInference(weightsPath);
        var test = MnistImages.Load(dataFolder, train: false).Limit(limit);
        var classes = entry.Summary.Output.Channels;
        var outputs = new float[Batch * classes];
        var labels = new int[Batch];
        double lossSum = 0;
        long correct = 0;
        for (var start = 0; start < test.Count; start += Batch)
        {
            var count = Math.Min(Batch, test.Count - start);
            var images = new ReadOnlyMemory<float>(test.Images, start * MnistImages.Pixels, count * MnistImages.Pixels);
            network.PredictBatch(images, outputs.AsMemory(0, count * classes), threads);
            for (var i = 0; i < count; i++)
            {
                labels[i] = test.Labels[start + i];
                // The networks end in LogSoftmax: the NLL loss is minus the label's output, as nll_loss takes it.
                lossSum -= outputs[i * classes + labels[i]];
            }
            correct += Backends.EngineRun.Correct(outputs.AsSpan(0, count * classes), labels.AsSpan(0, count), count);
        }
        return (lossSum / test.Count, correct, test.Count);
    }
}
