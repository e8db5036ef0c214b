using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;

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
    public (double Loss, long Correct, long Count) Evaluate(RegisteredNetwork network, IReadOnlyList<RegisteredNetwork> known, string weights,
        string dataFolder,
        int threads, int limit) =>
        SavedWeightsEvaluation.Run(network, known, weights, dataFolder, threads, limit);
}

/// <summary>
/// A run on the plain-C# engine: the data from <see cref="MnistImages"/> and <see cref="EpochBatches"/>, the step from
/// the network's generated trainer, the schedule from <see cref="EngineSchedule"/>, and with --ema the weight average
/// that the test passes and saved weights use. Unlike the torch backend, an epoch's last partial batch is dropped: a
/// generated trainer's batch size is fixed.
/// </summary>
internal sealed class EngineRun : ITrainingRun
{
    private readonly TrainSettings _settings;
    private readonly RegisteredNetwork _network;
    private readonly MnistImages _train, _test;
    private readonly ITrainer _trainer;
    private readonly EngineSchedule _schedule;
    private readonly WeightAverage? _average;
    private readonly float[] _images;
    private readonly int[] _labels;
    private EpochBatches? _batches;

    public EngineRun(TrainSettings settings, RegisteredNetwork network, string dataFolder)
    {
        if (!network.HasTrainer)
            throw new UserError(
                $"{network.Name} has no generated trainer{(network.NoTrainerReason is { } reason ? $" ({reason})" : "")}, " +
                $"so it cannot train on --engine generated; use --engine torch.");
        _settings = settings;
        _network = network;
        _train = MnistImages.Load(dataFolder, train: true).Limit(settings.TrainLimit);
        _test = MnistImages.Load(dataFolder, train: false).Limit(settings.TestLimit);
        BatchesPerEpoch = _train.Count / settings.BatchSize;
        if (BatchesPerEpoch == 0)
            throw new UserError(
                $"--batch-size {settings.BatchSize} is more than the {_train.Count} training images; " +
                $"the generated engine trains on whole batches only. Use a smaller --batch-size or a larger --train-limit.");
        if (settings.Threads > settings.BatchSize)
            throw new UserError(
                $"--threads {settings.Threads} is more than --batch-size {settings.BatchSize}: " +
                $"the generated engine gives each thread images of the batch.");
        if (settings.Schedule == ScheduleKind.OneCycle && settings.Epochs * BatchesPerEpoch < 2)
            throw new UserError("The one-cycle schedule needs at least two steps: more --epochs or training images, or another --schedule.");

        IOptimizer optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => new Adam(settings.LearningRate),
            OptimizerKind.Sgd => new Sgd(settings.LearningRate, TrainSettings.SgdMomentum),
        };
        _trainer = network.CreateTrainer(new TrainerOptions(settings.BatchSize, settings.Threads, (ulong)settings.Seed, optimizer));
        _schedule = new EngineSchedule(settings, optimizer, BatchesPerEpoch);
        _average = settings.Ema > 0 ? new WeightAverage(settings.Ema, _trainer.Parameters) : null;
        _images = new float[settings.BatchSize * MnistImages.Pixels];
        _labels = new int[settings.BatchSize];
    }

    public int BatchesPerEpoch { get; }

    public long TestCount => _test.Count;

    public double LearningRate => _trainer.Optimizer.LearningRate;

    public string? Estimate(int epochs) => RunEstimate.Describe(_network, _settings, _train, _test.Count, epochs, _settings.RotationDegrees);

    public bool ResumesInsideEpochs => true;

    public void BeginEpoch(int epoch, int skip)
    {
        _batches = new EpochBatches(_train, _settings.BatchSize, _settings.Seed, epoch, shuffle: true, _settings.RotationDegrees, _settings.Threads);
        _batches.Skip(skip);
    }

    public bool TrainBatch(out BatchResult batch)
    {
        if (_batches is null) throw new InvalidOperationException("BeginEpoch comes before TrainBatch.");
        if (!_batches.Next(_images, _labels))
        {
            batch = default;
            return false;
        }
        var loss = _trainer.Step(_images, _labels);
        _average?.Update(_trainer.Parameters);
        batch = new BatchResult(loss, Correct(_trainer.LogProbabilities, _labels, _labels.Length), _labels.Length);
        return true;
    }

    public void AfterBatch() => _schedule.AfterBatch();

    public void AfterEpoch(double testLoss) => _schedule.AfterEpoch(testLoss);

    public (double Loss, long Correct) Evaluate() => WithTestedWeights(() => Evaluate(_trainer, _test));

    public void SaveCheckpoint(string path, int epoch, MidEpoch? position = null) =>
        EngineCheckpoint.Save(path, _network, epoch, _trainer, _average, position);

    public (string Tensor, long Count)? FirstNonFinite() => TrainingDiverged.FirstNonFinite(EngineWeights.StateDict(_network, _trainer));

    public int LoadCheckpoint(string path) => EngineCheckpoint.Load(path, _network, _trainer, _average);

    public void SaveWeights(params string[] paths)
    {
        var weights = WithTestedWeights(() => EngineWeights.StateDict(_network, _trainer));
        foreach (var path in paths) SafeTensorsFile.Write(path, weights);
    }

    /// <summary>What the test passes and the saved weights use: the average, when there is one.</summary>
    private T WithTestedWeights<T>(Func<T> use) => _average is null ? use() : _average.Applied(_trainer, use);

    public void Dispose() => _trainer.Dispose();

    /// <summary>Average NLL loss and correct count over a set, in eval mode (running statistics, no dropout), a batch at a time.</summary>
    public static (double Loss, long Correct) Evaluate(ITrainer trainer, MnistImages set)
    {
        var classes = trainer.LogProbabilities.Length / trainer.BatchSize;
        return TestPass.Run(set, trainer.BatchSize, classes, (start, count, outputs) =>
        {
            trainer.Evaluate(set.Images.AsSpan(start * MnistImages.Pixels, count * MnistImages.Pixels));
            trainer.LogProbabilities[..(count * classes)].CopyTo(outputs);
        });
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
