using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Training.Engine;

namespace Mnist.Dsl.Training.Evaluation;

/// <summary>
/// Saved weights on the MNIST test set through the network's trainer on the plain-C# engine, in eval mode (running
/// statistics, no dropout): how a network declared at run time (an F# list), which has no inference class, is
/// evaluated with no native library.
/// </summary>
internal static class TrainerEvaluation
{
    /// <summary>Images per forward: the trainer's buffers are sized for a batch, so not the whole test set at once.</summary>
    private const int Batch = 100;

    public static (double Loss, long Correct, long Count) Run(RegisteredNetwork entry, IEnumerable<RegisteredNetwork> known, string weightsPath,
        string dataFolder,
        int threads, int limit)
    {
        var tensors = SafeTensorsFile.Read(weightsPath, out _).ToDictionary(t => t.Key, t => t.Value);
        // A file of another known network says which one it fits, as the other eval paths say it.
        var shapes = tensors.ToDictionary(t => t.Key, t => (IReadOnlyList<long>)t.Value.Shape);
        if (WeightsFit.OtherNetworkMessage(weightsPath, entry, shapes, known) is { } other) throw new InvalidDataException(other);
        using var trainer = entry.CreateTrainer(new TrainerOptions(Batch, Math.Min(threads, Batch), Seed: 0, new Sgd(0)));
        EngineWeights.Load(entry, trainer, tensors, weightsPath);
        var test = MnistImages.Load(dataFolder, train: false).Limit(limit);
        var (loss, correct) = Backends.EngineRun.Evaluate(trainer, test);
        return (loss, correct, test.Count);
    }
}
