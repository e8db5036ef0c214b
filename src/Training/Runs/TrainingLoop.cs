using System.Diagnostics;

namespace Mnist.Dsl.Training.Runs;

/// <summary>How a run ended: all its epochs done, or stopped (Ctrl-C, SIGTERM) after the last completed one.</summary>
internal sealed record TrainOutcome(IReadOnlyList<EpochResult> Epochs, bool Stopped);

/// <summary>
/// The epoch loop every backend shares: resume (the checkpoint, then the schedule replayed from the epochs it holds
/// and, after a stop inside an epoch, the batches it had trained), the epochs' batches with live progress, the test
/// pass, and the run folder written after each epoch. Nothing is written from a state that is not finite
/// (<see cref="TrainingDiverged"/>). The checkpoint is written last (weights, best.onnx, metrics and plot, then the
/// checkpoint), so it commits the epoch: a stop or a failed write before it leaves the previous epoch's checkpoint, and
/// --resume redoes the epoch to the same bits. The run's report.html follows.
/// </summary>
internal static class TrainingLoop
{
    public static TrainOutcome Run(ITrainingRun training, TrainSettings settings, RunFolder run, RegisteredNetwork network, string dataFolder,
        bool resume,
        EpochProgress progress, Action<EpochResult> onEpoch, CancellationToken stop)
    {
        var results = new List<EpochResult>();
        MidEpoch? position = null;
        if (resume)
        {
            var done = training.LoadCheckpoint(run.Checkpoint);
            results.AddRange(run.CompletedEpochs(done));
            // The schedule is a function of the steps taken and (for plateau) the test losses seen: replay them.
            foreach (var epoch in results)
            {
                for (var b = 0; b < training.BatchesPerEpoch; b++) training.AfterBatch();
                training.AfterEpoch(epoch.TestLoss);
            }
            // A run stopped inside an epoch continues at the batch it stopped before.
            position = MidEpoch.Read(run.Checkpoint);
            for (var b = 0; b < (position?.Batch ?? 0); b++) training.AfterBatch();
        }

        if (results.Count < settings.Epochs && training.Estimate(settings.Epochs - results.Count) is { } estimate)
            Console.WriteLine(estimate);

        for (var epoch = results.Count + 1; epoch <= settings.Epochs; epoch++)
        {
            if (stop.IsCancellationRequested) return new TrainOutcome(results, Stopped: true);
            var clock = Stopwatch.StartNew();
            var start = position ?? new MidEpoch(0, 0, 0, 0);
            position = null;
            training.BeginEpoch(epoch, start.Batch);
            var (trainLoss, trainAccuracy, stoppedAt) = progress.Run($"Epoch {epoch}/{settings.Epochs}", training.BatchesPerEpoch, report =>
            {
                double lossSum = start.LossSum;
                long correct = start.Correct, seen = start.Seen;
                var step = start.Batch;
                while (!stop.IsCancellationRequested)
                {
                    if (!training.TrainBatch(out var batch)) return (lossSum / seen, 100.0 * correct / seen, (MidEpoch?)null);
                    TrainingDiverged.ThrowIfNotFinite(batch.Loss, epoch, step + 1, training.LearningRate);
                    training.AfterBatch();
                    lossSum += batch.Loss * batch.Count;
                    correct += batch.Correct;
                    seen += batch.Count;
                    report(++step, lossSum / seen, 100.0 * correct / seen, seen / clock.Elapsed.TotalSeconds);
                }
                return (0.0, 0.0, new MidEpoch(step, lossSum, correct, seen));
            });
            if (stoppedAt is not null)
            {
                KeepStoppedEpoch(training, run, results.Count, stoppedAt, start);
                return new TrainOutcome(results, Stopped: true);
            }

            var learningRate = training.LearningRate;
            var (testLoss, testCorrect) = training.Evaluate();
            TrainingDiverged.ThrowIfNotFinite(testLoss, epoch, training.BatchesPerEpoch, learningRate, "the test loss");
            training.AfterEpoch(testLoss);
            var result = new EpochResult(epoch, trainLoss, trainAccuracy, testLoss, testCorrect, training.TestCount, learningRate,
                clock.Elapsed.TotalSeconds);
            var best = results.Count == 0 || result.TestCorrect > results.Max(r => r.TestCorrect);
            results.Add(result);

            // A BatchNorm variance can overflow while the loss is still finite: nothing is saved from such a state.
            if (training.FirstNonFinite() is var (tensor, count))
                throw TrainingDiverged.InState(tensor, count, epoch, training.BatchesPerEpoch, learningRate);
            RunFolderWriteFailed.Guard(run, epoch - 1, $"epoch {epoch}", () =>
            {
                training.SaveWeights(best ? new[] { run.LastWeights, run.BestWeights } : new[] { run.LastWeights });
                // The export reads the saved file, so it is the same on every backend.
                if (best && settings.Onnx) network.ExportOnnx(run.BestWeights, run.BestOnnx);
                run.WriteMetrics(results, network.Name);
                training.SaveCheckpoint(run.Checkpoint, epoch);
            });
            // After the best weights: the report's confusion matrix and misclassified images are theirs.
            Report.RunReport.Write(run, network, settings, dataFolder, results);
            onEpoch(result);
        }
        return new TrainOutcome(results, Stopped: false);
    }

    /// <summary>
    /// A stop inside an epoch: where the backend can continue there, the checkpoint takes the state at that batch
    /// (metrics and weights stay the last whole epoch's); else the partial epoch is dropped, and said so.
    /// </summary>
    private static void KeepStoppedEpoch(ITrainingRun training, RunFolder run, int completed, MidEpoch stoppedAt, MidEpoch start)
    {
        if (!training.ResumesInsideEpochs)
        {
            Console.WriteLine($"Epoch {completed + 1} was stopped before its end and is not kept (--engine torch resumes at whole epochs).");
            return;
        }
        if (stoppedAt.Batch <= start.Batch) return; // nothing trained since the checkpoint
        RunFolderWriteFailed.Guard(run, completed, "the mid-epoch checkpoint", () => training.SaveCheckpoint(run.Checkpoint, completed, stoppedAt));
        Console.WriteLine($"Saved epoch {completed + 1} at batch {stoppedAt.Batch} of {training.BatchesPerEpoch} in the checkpoint; " +
            $"--resume continues from there.");
    }
}
