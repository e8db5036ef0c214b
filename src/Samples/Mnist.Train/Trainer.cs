using System;
using System.Diagnostics;
using System.Globalization;
using Mnist.Torch;
using Mnist.Torch.Data;
using Mnist.Torch.Optim;
using static Mnist.Torch.torch;

namespace Mnist.Train;

/// <summary>Per-epoch numbers, as the seeds print them.</summary>
internal sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, long TestCorrect, long TestCount, double LearningRate, double Seconds)
{
    public double TestAccuracy => 100.0 * TestCorrect / TestCount;

    public string TestLine => string.Format(CultureInfo.InvariantCulture,
        "Test set: Average loss: {0:F4}, Accuracy: {1}/{2} ({3:F2}%)", TestLoss, TestCorrect, TestCount, TestAccuracy);
}

/// <summary>Trains one network on MNIST with SGD or Adam, a learning-rate schedule and optional augmentation.</summary>
internal sealed class Trainer
{
    private const int TestBatchSize = 1000;

    public static void Run(TrainSettings settings, ModelEntry entry, Action<EpochResult> onEpoch)
    {
        set_num_threads(settings.Threads);
        manual_seed(settings.Seed);
        using var train = MnistDataset.Load(settings.DataFolder, train: true);
        using var test = MnistDataset.Load(settings.DataFolder, train: false);
        using var model = entry.Create();
        using var optimizer = settings.Optimizer switch
        {
            OptimizerKind.Adam => (Optimizer)optim.Adam(model.parameters(), settings.LearningRate),
            _ => optim.SGD(model.parameters(), settings.LearningRate, momentum: 0.9),
        };
        var batches = new BatchIterator(train, settings.BatchSize, shuffle: true);
        var schedule = Schedules.Create(settings, optimizer, (int)batches.Count);
        var augmentation = settings.Augment ? new Augmentation(degrees: 7) : null;

        for (var epoch = 1; epoch <= settings.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            foreach (var (images, labels) in batches)
            {
                using var scope = NewDisposeScope();
                var input = augmentation is null ? images : augmentation.Apply(images);
                optimizer.zero_grad();
                var output = model.forward(input);
                var loss = nn.functional.nll_loss(output, labels);
                loss.backward();
                optimizer.step();
                schedule.AfterBatch();
                var count = labels.shape[0];
                lossSum += loss.item<float>() * count;
                correct += output.argmax(1).eq(labels).sum().item<long>();
                seen += count;
            }
            var learningRate = optimizer.ParamGroups[0].LearningRate;
            var (testLoss, testCorrect) = Evaluate(model, test);
            schedule.AfterEpoch(testLoss);
            onEpoch(new EpochResult(epoch, lossSum / seen, 100.0 * correct / seen, testLoss, testCorrect, test.Count, learningRate, clock.Elapsed.TotalSeconds));
        }
    }

    /// <summary>Average NLL loss and correct count over a dataset, in eval mode without gradients.</summary>
    public static (double Loss, long Correct) Evaluate(nn.Module<Tensor, Tensor> model, MnistDataset data)
    {
        model.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        foreach (var (images, labels) in new BatchIterator(data, TestBatchSize, shuffle: false))
        {
            using var scope = NewDisposeScope();
            var output = model.forward(images);
            lossSum += nn.functional.nll_loss(output, labels, reduction: nn.Reduction.Sum).item<double>();
            correct += output.argmax(1).eq(labels).sum().item<long>();
        }
        return (lossSum / data.Count, correct);
    }
}
