using System.Diagnostics;
using Mnist.Dsl.Training.Backends;
using Mnist.Dsl.Training.Cli;
using Mnist.Dsl.Training.Export;

namespace Mnist.Dsl.Training.Runs;

/// <summary>How a run ended: all its epochs done, or stopped (Ctrl-C) after the last completed one.</summary>
internal sealed record TrainOutcome(IReadOnlyList<EpochResult> Epochs, bool Stopped);

/// <summary>
/// The epoch loop every backend shares: resume (the checkpoint, then the schedule replayed from the epochs it holds),
/// the epochs' batches with live progress, the test pass, and the run folder written after each epoch (checkpoint
/// first, then metrics and plot, then last and best weights, then report.html), so a run stopped at any point resumes from its last
/// completed epoch with the same numbers. The run's report.html is rewritten last.
/// </summary>
internal static class TrainingLoop
{
    public static TrainOutcome Run(ITrainingRun training, TrainSettings settings, RunFolder run, RegisteredNetwork network, string dataFolder, bool resume,
        EpochProgress progress, Action<EpochResult> onEpoch, CancellationToken stop)
    {
        var results = new List<EpochResult>();
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
        }

        if (results.Count < settings.Epochs && training.Estimate(settings.Epochs - results.Count) is { } estimate)
            Console.WriteLine(estimate);

        for (var epoch = results.Count + 1; epoch <= settings.Epochs; epoch++)
        {
            if (stop.IsCancellationRequested) return new TrainOutcome(results, Stopped: true);
            var clock = Stopwatch.StartNew();
            training.BeginEpoch(epoch);
            var (trainLoss, trainAccuracy, completed) = progress.Run($"Epoch {epoch}/{settings.Epochs}", training.BatchesPerEpoch, report =>
            {
                double lossSum = 0;
                long correct = 0, seen = 0, step = 0;
                while (!stop.IsCancellationRequested)
                {
                    if (!training.TrainBatch(out var batch)) return (lossSum / seen, 100.0 * correct / seen, true);
                    training.AfterBatch();
                    lossSum += batch.Loss * batch.Count;
                    correct += batch.Correct;
                    seen += batch.Count;
                    report(++step, lossSum / seen, 100.0 * correct / seen, seen / clock.Elapsed.TotalSeconds);
                }
                return (0.0, 0.0, false);
            });
            if (!completed) return new TrainOutcome(results, Stopped: true);

            var learningRate = training.LearningRate;
            var (testLoss, testCorrect) = training.Evaluate();
            training.AfterEpoch(testLoss);
            var result = new EpochResult(epoch, trainLoss, trainAccuracy, testLoss, testCorrect, training.TestCount, learningRate, clock.Elapsed.TotalSeconds);
            var best = results.Count == 0 || result.TestCorrect > results.Max(r => r.TestCorrect);
            results.Add(result);

            training.SaveCheckpoint(run.Checkpoint, epoch);
            run.WriteMetrics(results, network.Name);
            training.SaveWeights(best ? new[] { run.LastWeights, run.BestWeights } : new[] { run.LastWeights });
            // The export reads the saved file, so it is the same on every backend.
            if (best && settings.Onnx) network.ExportOnnx(run.BestWeights, run.BestOnnx);
            // After the best weights: the report's confusion matrix and misclassified images are theirs.
            Report.RunReport.Write(run, network, settings, dataFolder, results);
            onEpoch(result);
        }
        return new TrainOutcome(results, Stopped: false);
    }
}
