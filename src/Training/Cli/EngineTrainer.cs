using System.Diagnostics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Training.Engine;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// Trains one network on the plain-C# engine, the torch path's recipe and run folder with no native library: the
/// data from <see cref="MnistImages"/> and <see cref="EpochBatches"/>, the step from the network's generated trainer,
/// the schedule from <see cref="EngineSchedule"/>, evaluation after each epoch in eval mode, and the files written as
/// <see cref="TorchTrainer"/> writes them (checkpoint first), so a stopped run resumes to the same numbers. Unlike the
/// torch path, an epoch's last partial batch is dropped: a generated trainer's batch size is fixed.
/// </summary>
internal static class EngineTrainer
{
    private const double RotationDegrees = 7;

    public static TrainOutcome Run(TrainSettings settings, RegisteredNetwork entry, string dataFolder, RunFolder run, bool resume,
        EpochProgress progress, Action<EpochResult> onEpoch, CancellationToken stop)
    {
        var train = MnistImages.Load(dataFolder, train: true).Limit(settings.TrainLimit);
        var test = MnistImages.Load(dataFolder, train: false).Limit(settings.TestLimit);
        var batchesPerEpoch = train.Count / settings.BatchSize;
        if (batchesPerEpoch == 0)
            throw new UserError($"--batch-size {settings.BatchSize} is more than the {train.Count} training images; the generated engine trains on whole batches only. Use a smaller --batch-size or a larger --train-limit.");
        if (settings.Threads > settings.BatchSize)
            throw new UserError($"--threads {settings.Threads} is more than --batch-size {settings.BatchSize}: the generated engine gives each thread images of the batch.");
        if (settings.Schedule == ScheduleKind.OneCycle && settings.Epochs * batchesPerEpoch < 2)
            throw new UserError("The one-cycle schedule needs at least two steps: more --epochs or training images, or another --schedule.");

        IOptimizer optimizer = settings.Optimizer == OptimizerKind.Adam ? new Adam(settings.LearningRate) : new Sgd(settings.LearningRate, momentum: 0.9);
        using var trainer = entry.CreateTrainer(new TrainerOptions(settings.BatchSize, settings.Threads, (ulong)settings.Seed, optimizer));
        var schedule = new EngineSchedule(settings, optimizer, batchesPerEpoch);
        var average = settings.Ema > 0 ? new WeightAverage(settings.Ema, trainer.Parameters) : null;
        // What the test passes and the saved weights use: the average, when there is one.
        T WithTestedWeights<T>(Func<T> use) => average is null ? use() : average.Applied(trainer, use);

        var results = new List<EpochResult>();
        if (resume)
        {
            var done = EngineCheckpoint.Load(run.Checkpoint, entry, trainer, average);
            results.AddRange(run.CompletedEpochs(done));
            // The schedule is a function of the steps taken and (for plateau) the test losses seen: replay them.
            foreach (var epoch in results)
            {
                for (var b = 0; b < batchesPerEpoch; b++) schedule.AfterBatch();
                schedule.AfterEpoch(epoch.TestLoss);
            }
        }
        // A run stopped inside an epoch (Ctrl-C, SIGTERM) continues at the batch it stopped before.
        var position = resume ? MidEpoch.Read(run.Checkpoint) : null;
        for (var b = 0; b < (position?.Batch ?? 0); b++) schedule.AfterBatch();

        var degrees = settings.Augment ? RotationDegrees : 0;
        if (results.Count < settings.Epochs)
            Console.WriteLine(RunEstimate.Describe(entry, settings, train, test.Count, settings.Epochs - results.Count, degrees));

        var images = new float[settings.BatchSize * MnistImages.Pixels];
        var labels = new int[settings.BatchSize];
        for (var epoch = results.Count + 1; epoch <= settings.Epochs; epoch++)
        {
            if (stop.IsCancellationRequested) return new TrainOutcome(results, Stopped: true);
            var clock = Stopwatch.StartNew();
            var batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch, shuffle: true, degrees, settings.Threads);
            var start = position ?? new MidEpoch(0, 0, 0, 0);
            position = null;
            batches.Skip(start.Batch);
            var (trainLoss, trainAccuracy, stoppedAt) = progress.Run($"Epoch {epoch}/{settings.Epochs}", batches.Count, report =>
            {
                double lossSum = start.LossSum;
                long correct = start.Correct, seen = start.Seen;
                int step = start.Batch;
                while (batches.Next(images, labels))
                {
                    if (stop.IsCancellationRequested) return (0.0, 0.0, new MidEpoch(step, lossSum, correct, seen));
                    var loss = trainer.Step(images, labels);
                    TrainingDiverged.ThrowIfNotFinite(loss, epoch, step + 1, optimizer.LearningRate);
                    schedule.AfterBatch();
                    average?.Update(trainer.Parameters);
                    lossSum += (double)loss * labels.Length;
                    correct += Correct(trainer.LogProbabilities, labels, labels.Length);
                    seen += labels.Length;
                    report(++step, lossSum / seen, 100.0 * correct / seen, seen / clock.Elapsed.TotalSeconds);
                }
                return (lossSum / seen, 100.0 * correct / seen, (MidEpoch?)null);
            });
            if (stoppedAt is not null)
            {
                if (stoppedAt.Batch > start.Batch) SaveMidEpoch(run, entry, results.Count, trainer, average, stoppedAt, batches.Count);
                return new TrainOutcome(results, Stopped: true);
            }

            var learningRate = optimizer.LearningRate;
            var (testLoss, testCorrect) = WithTestedWeights(() => Evaluate(trainer, test));
            TrainingDiverged.ThrowIfNotFinite(testLoss, epoch, batches.Count, learningRate, "the test loss");
            schedule.AfterEpoch(testLoss);
            var result = new EpochResult(epoch, trainLoss, trainAccuracy, testLoss, testCorrect, test.Count, learningRate, clock.Elapsed.TotalSeconds);
            var best = results.Count == 0 || result.TestCorrect > results.Max(r => r.TestCorrect);
            results.Add(result);

            TrainingDiverged.ThrowIfNotFinite(EngineWeights.StateDict(entry, trainer), epoch, batches.Count, learningRate);
            RunFolderWriteFailed.Guard(run, epoch - 1, $"epoch {epoch}", () =>
            {
                // The checkpoint last: it commits the epoch. A stop or a failed write before it leaves the previous
                // epoch's checkpoint, and --resume redoes this epoch (to the same bits), rewriting what was written.
                var weights = WithTestedWeights(() => EngineWeights.StateDict(entry, trainer));
                SafeTensorsFile.Write(run.LastWeights, weights);
                if (best) SafeTensorsFile.Write(run.BestWeights, weights);
                run.WriteMetrics(results, entry.Name);
                EngineCheckpoint.Save(run.Checkpoint, entry, epoch, trainer, average);
            });
            onEpoch(result);
        }
        return new TrainOutcome(results, Stopped: false);
    }

    /// <summary>The state at a stop inside an epoch, in the checkpoint only: metrics and weights stay the last whole epoch's.</summary>
    private static void SaveMidEpoch(RunFolder run, RegisteredNetwork entry, int completed, ITrainer trainer, WeightAverage? average, MidEpoch position, int batches)
    {
        RunFolderWriteFailed.Guard(run, completed, "the mid-epoch checkpoint", () => EngineCheckpoint.Save(run.Checkpoint, entry, completed, trainer, average, position));
        Console.WriteLine($"Saved epoch {completed + 1} at batch {position.Batch} of {batches} in the checkpoint; --resume continues from there.");
    }

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
