using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Training.Averaging;
using Mnist.Dsl.Training.Checkpoints;
using Mnist.Dsl.Training.Cli;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Evaluation;
using Mnist.Dsl.Training.Runs;

namespace Mnist.Dsl.Training.Backends;

/// <summary>The plain-C# engine: a network's generated trainer; no native library anywhere. The default backend.</summary>
internal sealed class EngineBackend : ITrainingBackend
{
    public static EngineBackend Instance { get; } = new();

    private EngineBackend()
    {
    }

    public ITrainingRun Start(TrainSettings settings, RegisteredNetwork network, string dataFolder) => new EngineRun(settings, network, dataFolder);

    /// <summary>
    /// Through the network's inference class (the generated eval-mode forward); a network declared at run time (an F#
    /// list) has none, and its trainer's eval-mode forward computes it.
    /// </summary>
    public (double Loss, long Correct, long Count) Evaluate(RegisteredNetwork network, IReadOnlyList<RegisteredNetwork> known, string weights, string dataFolder,
        int threads, int limit) =>
        network.HasInference ? InferenceEvaluation.Run(network, known, weights, dataFolder, threads, limit)
            : TrainerEvaluation.Run(network, known, weights, dataFolder, threads, limit);
}

/// <summary>
/// A run on the plain-C# engine: the data from <see cref="MnistImages"/> and <see cref="EpochBatches"/>, the step from
/// the network's generated trainer, the schedule from <see cref="EngineSchedule"/>, and with --ema the weight average
/// that the test passes and saved weights use. Unlike the torch backend, an epoch's last partial batch is dropped: a
/// generated trainer's batch size is fixed.
/// </summary>
internal sealed class EngineRun : ITrainingRun
{
    private readonly TrainSettings settings;
    private readonly RegisteredNetwork network;
    private readonly MnistImages train, test;
    private readonly ITrainer trainer;
    private readonly EngineSchedule schedule;
    private readonly WeightAverage? average;
    private readonly float[] images;
    private readonly int[] labels;
    private EpochBatches? batches;

    public EngineRun(TrainSettings settings, RegisteredNetwork network, string dataFolder)
    {
        if (!network.HasTrainer)
            throw new UserError($"{network.Name} has no generated trainer{(network.NoTrainerReason is { } reason ? $" ({reason})" : "")}, so it cannot train on --engine generated; use --engine torch.");
        this.settings = settings;
        this.network = network;
        train = MnistImages.Load(dataFolder, train: true).Limit(settings.TrainLimit);
        test = MnistImages.Load(dataFolder, train: false).Limit(settings.TestLimit);
        BatchesPerEpoch = train.Count / settings.BatchSize;
        if (BatchesPerEpoch == 0)
            throw new UserError($"--batch-size {settings.BatchSize} is more than the {train.Count} training images; the generated engine trains on whole batches only. Use a smaller --batch-size or a larger --train-limit.");
        if (settings.Threads > settings.BatchSize)
            throw new UserError($"--threads {settings.Threads} is more than --batch-size {settings.BatchSize}: the generated engine gives each thread images of the batch.");
        if (settings.Schedule == ScheduleKind.OneCycle && settings.Epochs * BatchesPerEpoch < 2)
            throw new UserError("The one-cycle schedule needs at least two steps: more --epochs or training images, or another --schedule.");

        IOptimizer optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => new Adam(settings.LearningRate),
            OptimizerKind.Sgd => new Sgd(settings.LearningRate, TrainSettings.SgdMomentum),
        };
        trainer = network.CreateTrainer(new TrainerOptions(settings.BatchSize, settings.Threads, (ulong)settings.Seed, optimizer));
        schedule = new EngineSchedule(settings, optimizer, BatchesPerEpoch);
        average = settings.Ema > 0 ? new WeightAverage(settings.Ema, trainer.Parameters) : null;
        images = new float[settings.BatchSize * MnistImages.Pixels];
        labels = new int[settings.BatchSize];
    }

    public int BatchesPerEpoch { get; }

    public long TestCount => test.Count;

    public double LearningRate => trainer.Optimizer.LearningRate;

    public string? Estimate(int epochs) => RunEstimate.Describe(network, settings, train, test.Count, epochs, settings.RotationDegrees);

    public bool ResumesInsideEpochs => true;

    public void BeginEpoch(int epoch, int skip)
    {
        batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch, shuffle: true, settings.RotationDegrees, settings.Threads);
        batches.Skip(skip);
    }

    public bool TrainBatch(out BatchResult batch)
    {
        if (batches is null) throw new InvalidOperationException("BeginEpoch comes before TrainBatch.");
        if (!batches.Next(images, labels))
        {
            batch = default;
            return false;
        }
        var loss = trainer.Step(images, labels);
        average?.Update(trainer.Parameters);
        batch = new BatchResult(loss, Correct(trainer.LogProbabilities, labels, labels.Length), labels.Length);
        return true;
    }

    public void AfterBatch() => schedule.AfterBatch();

    public void AfterEpoch(double testLoss) => schedule.AfterEpoch(testLoss);

    public (double Loss, long Correct) Evaluate() => WithTestedWeights(() => Evaluate(trainer, test));

    public void SaveCheckpoint(string path, int epoch, MidEpoch? position = null) => EngineCheckpoint.Save(path, network, epoch, trainer, average, position);

    public (string Tensor, long Count)? FirstNonFinite() => TrainingDiverged.FirstNonFinite(EngineWeights.StateDict(network, trainer));

    public int LoadCheckpoint(string path) => EngineCheckpoint.Load(path, network, trainer, average);

    public void SaveWeights(params string[] paths)
    {
        var weights = WithTestedWeights(() => EngineWeights.StateDict(network, trainer));
        foreach (var path in paths) SafeTensorsFile.Write(path, weights);
    }

    /// <summary>What the test passes and the saved weights use: the average, when there is one.</summary>
    private T WithTestedWeights<T>(Func<T> use) => average is null ? use() : average.Applied(trainer, use);

    public void Dispose() => trainer.Dispose();

    /// <summary>Average NLL loss and correct count over a set, in eval mode (running statistics, no dropout), a batch at a time.</summary>
    public static (double Loss, long Correct) Evaluate(ITrainer trainer, MnistImages set)
    {
        double lossSum = 0;
        long correct = 0;
        var labels = new int[trainer.BatchSize];
        for (var start = 0; start < set.Count; start += trainer.BatchSize)
        {
            var count = Math.Min(trainer.BatchSize, set.Count - start);
            trainer.Evaluate(set.Images.AsSpan(start * MnistImages.Pixels, count * MnistImages.Pixels));
            var outputs = trainer.LogProbabilities;
            var classes = outputs.Length / trainer.BatchSize;
            for (var i = 0; i < count; i++)
            {
                labels[i] = set.Labels[start + i];
                lossSum -= outputs[i * classes + labels[i]];
            }
            correct += Correct(outputs, labels, count);
        }
        return (lossSum / set.Count, correct);
    }

    /// <summary>How many of the first <paramref name="count"/> rows have their largest output at the label (the first largest, as argmax).</summary>
    public static long Correct(ReadOnlySpan<float> outputs, ReadOnlySpan<int> labels, int count)
    {
        var classes = outputs.Length / labels.Length;
        long correct = 0;
        for (var i = 0; i < count; i++)
        {
            var row = outputs.Slice(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
            if (best == labels[i]) correct++;
        }
        return correct;
    }
}
