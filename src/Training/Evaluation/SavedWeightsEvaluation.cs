using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;

namespace Mnist.Dsl.Training.Evaluation;

/// <summary>
/// Saved weights on the MNIST test set with no native library: through the network's generated inference class (its
/// eval-mode forward), or, for a network declared at run time (an F# list), which has no inference class, through its
/// trainer on the plain-C# engine in eval mode (running statistics, no dropout).
/// </summary>
internal static class SavedWeightsEvaluation
{
    public static (double Loss, long Correct, long Count) Run(RegisteredNetwork entry, IEnumerable<RegisteredNetwork> known, string weightsPath,
        string dataFolder, int threads, int limit)
    {
        var tensors = SafeTensorsFile.Read(weightsPath, out _).ToDictionary(t => t.Key, t => t.Value);
        // A file of another known network says which one it fits, as the torch path's LoadWeights says it.
        var shapes = tensors.ToDictionary(t => t.Key, t => (IReadOnlyList<long>)t.Value.Shape);
        if (WeightsFit.OtherNetworkMessage(weightsPath, entry, shapes, known) is { } other) throw new InvalidDataException(other);
        var test = MnistImages.Load(dataFolder, train: false).Limit(limit);
        var (loss, correct) = entry.HasInference
            ? ThroughInference(entry, weightsPath, test, threads)
            : ThroughTrainer(entry, tensors, weightsPath, test, threads);
        return (loss, correct, test.Count);
    }

    private static (double Loss, long Correct) ThroughInference(RegisteredNetwork entry, string weightsPath, MnistImages test, int threads)
    {
        var network = entry.LoadInference(weightsPath);
        var classes = network.Classes;
        return TestPass.Run(test, batch: 1000, classes, (start, count, outputs) => network.PredictBatch(
            test.Images.AsMemory(start * MnistImages.Pixels, count * MnistImages.Pixels), outputs.AsMemory(0, count * classes), threads));
    }

    private static (double Loss, long Correct) ThroughTrainer(RegisteredNetwork entry, IReadOnlyDictionary<string, RawTensor> tensors,
        string weightsPath, MnistImages test, int threads)
    {
        // Images per forward: the trainer's buffers are sized for a batch, so not the whole test set at once.
        const int TrainerBatch = 100;
        using var trainer = entry.CreateTrainer(new TrainerOptions(TrainerBatch, Math.Min(threads, TrainerBatch), Seed: 0, new Sgd(0)));
        EngineWeights.Load(entry, trainer, tensors, weightsPath);
        return Backends.EngineRun.Evaluate(trainer, test);
    }
}
