using System.Diagnostics;
using Mnist.Dsl.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Mnist.Dsl.Training.Cli;

/// <summary>How a run ended: all its epochs done, or stopped (Ctrl-C) after the last completed one.</summary>
internal sealed record TrainOutcome(IReadOnlyList<EpochResult> Epochs, bool Stopped);

/// <summary>
/// Trains one network on MNIST with TorchSharp: SGD with momentum or Adam, a learning-rate schedule, optional rotation. After
/// every epoch it evaluates on the test set and writes the run folder (checkpoint first, then metrics, plot and
/// weights), so a run stopped at any point resumes from its last completed epoch with the same numbers.
/// </summary>
internal sealed class TorchTrainer
{
    private const int TestBatchSize = 1000;

    public static TrainOutcome Run(TrainSettings settings, RegisteredNetwork entry, string dataFolder, RunFolder run, bool resume,
        EpochProgress progress, Action<EpochResult> onEpoch, CancellationToken stop)
    {
        set_num_threads(settings.Threads);
        manual_seed(settings.Seed);
        using var train = MnistDataset.Load(dataFolder, train: true);
        using var test = MnistDataset.Load(dataFolder, train: false);
        // The model and optimizer live for the whole run, outside every dispose scope (their tensors are theirs).
        using var model = entry.Create();
        // NHWC convolutions: a fifth less CPU per step on libtorch 2.10 (see ChannelsLast); before the optimizer
        // is made, because it keeps the parameters it was given.
        ChannelsLast.Apply(model);
        using var optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => (TorchSharp.Modules.OptimizerHelper)optim.Adam(model.parameters(), settings.LearningRate),
            _ => optim.SGD(model.parameters(), settings.LearningRate, momentum: 0.9),
        };
        using var scope = NewDisposeScope();
        var (trainImages, trainLabels) = Limit(train, settings.TrainLimit);
        var (testImages, testLabels) = Limit(test, settings.TestLimit);
        var batches = new BatchIterator(trainImages, trainLabels, settings.BatchSize, shuffle: true);
        var schedule = Schedules.Create(settings, optimizer, (int)batches.Count);
        var augmentation = settings.Augment ? new Augmentation(degrees: 7) : null;

        var results = new List<EpochResult>();
        if (resume)
        {
            var done = Checkpoint.Load(run.Checkpoint, entry.Name, model, optimizer);
            results.AddRange(run.CompletedEpochs(done));
            // The schedule is a function of the steps taken and (for plateau) the test losses seen: replay them.
            foreach (var epoch in results)
            {
                for (var b = 0; b < batches.Count; b++) schedule.AfterBatch();
                schedule.AfterEpoch(epoch.TestLoss);
            }
        }

        for (var epoch = results.Count + 1; epoch <= settings.Epochs; epoch++)
        {
            if (stop.IsCancellationRequested) return new TrainOutcome(results, Stopped: true);
            var clock = Stopwatch.StartNew();
            model.train();
            var (trainLoss, trainAccuracy, completed) = progress.Run($"Epoch {epoch}/{settings.Epochs}", batches.Count, report =>
            {
                double lossSum = 0;
                long correct = 0, seen = 0, step = 0;
                foreach (var (images, labels) in batches)
                {
                    if (stop.IsCancellationRequested) return (0.0, 0.0, false);
                    using var batchScope = NewDisposeScope();
                    var input = augmentation is null ? images : augmentation.Apply(images);
                    optimizer.zero_grad();
                    var output = model.forward(input);
                    var loss = nn.functional.nll_loss(output, labels);
                    loss.backward();
                    optimizer.step();
                    var lossValue = loss.item<float>();
                    TrainingDiverged.ThrowIfNotFinite(lossValue, epoch, step + 1, optimizer.ParamGroups.First().LearningRate);
                    schedule.AfterBatch();
                    var count = labels.shape[0];
                    lossSum += lossValue * count;
                    correct += output.argmax(1).eq(labels).sum().item<long>();
                    seen += count;
                    report(++step, lossSum / seen, 100.0 * correct / seen, seen / clock.Elapsed.TotalSeconds);
                }
                return (lossSum / seen, 100.0 * correct / seen, true);
            });
            if (!completed)
            {
                // Torch's shuffle, dropout and augmentation draw from one generator: a stop keeps whole epochs only.
                Console.WriteLine($"Epoch {epoch} was stopped before its end and is not kept (--engine torch resumes at whole epochs).");
                return new TrainOutcome(results, Stopped: true);
            }

            var learningRate = optimizer.ParamGroups.First().LearningRate;
            var (testLoss, testCorrect) = Evaluate(model, testImages, testLabels);
            TrainingDiverged.ThrowIfNotFinite(testLoss, epoch, batches.Count, learningRate, "the test loss");
            schedule.AfterEpoch(testLoss);
            var result = new EpochResult(epoch, trainLoss, trainAccuracy, testLoss, testCorrect, testLabels.shape[0], learningRate, clock.Elapsed.TotalSeconds);
            var best = results.Count == 0 || result.TestCorrect > results.Max(r => r.TestCorrect);
            results.Add(result);

            TorchFiniteState.ThrowIfNotFinite(model, epoch, batches.Count, learningRate);
            RunFolderWriteFailed.Guard(run, epoch - 1, $"epoch {epoch}", () =>
            {
                // The checkpoint last: it commits the epoch (see EngineTrainer).
                model.SaveWeights(run.LastWeights);
                if (best) model.SaveWeights(run.BestWeights);
                run.WriteMetrics(results, entry.Name);
                Checkpoint.Save(run.Checkpoint, entry.Name, epoch, model, optimizer);
            });
            onEpoch(result);
        }
        return new TrainOutcome(results, Stopped: false);
    }

    /// <summary>Average NLL loss and correct count over images and labels, in eval mode without gradients.</summary>
    public static (double Loss, long Correct) Evaluate(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        foreach (var (x, y) in new BatchIterator(images, labels, TestBatchSize, shuffle: false))
        {
            using var scope = NewDisposeScope();
            var output = model.forward(x);
            lossSum += nn.functional.nll_loss(output, y, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(y).sum().item<long>();
        }
        return (lossSum / labels.shape[0], correct);
    }

    /// <summary>The first <paramref name="limit"/> samples (all when 0): quick runs and tests on a subset of real MNIST.</summary>
    public static (Tensor Images, Tensor Labels) Limit(MnistDataset data, int limit) =>
        limit <= 0 || limit >= data.Count ? (data.Images, data.Labels) : (data.Images.narrow(0, 0, limit), data.Labels.narrow(0, 0, limit));

}
