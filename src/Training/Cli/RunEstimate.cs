using System;
using System.Diagnostics;
using System.Globalization;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Data;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// How long a run on the generated engine will take, said before it starts: a throwaway trainer of the same network,
/// batch size and threads steps on the run's first batches (data path and augmentation included) and evaluates one
/// test batch, and the measured times scale to the run's steps and test passes. The run's own trainer is not touched,
/// so its numbers are the same with or without the estimate.
/// </summary>
internal static class RunEstimate
{
    private const int WarmUpSteps = 3;
    private static readonly TimeSpan Measured = TimeSpan.FromSeconds(0.5);

    /// <summary>The line to print: the run's total, per epoch, and what it was measured from.</summary>
    public static string Describe(RegisteredNetwork network, TrainSettings settings, MnistImages train, int testCount, int epochs, double degrees)
    {
        var (stepSeconds, evalSeconds) = Measure(network, settings, train, degrees);
        var batchesPerEpoch = train.Count / settings.BatchSize;
        var testBatches = (testCount + settings.BatchSize - 1) / settings.BatchSize;
        var epochSeconds = batchesPerEpoch * stepSeconds + testBatches * evalSeconds;
        return string.Format(CultureInfo.InvariantCulture,
            "Expected time: about {0} for {1} epoch{2} ({3:F1} s each: {4:N0} training images/s measured on a warm-up, {5:F2}M multiply-adds per image forward).",
            Duration(epochs * epochSeconds), epochs, epochs == 1 ? "" : "s", epochSeconds, settings.BatchSize / stepSeconds, network.Summary.MultiplyAdds / 1e6);
    }

    private static (double StepSeconds, double EvalSeconds) Measure(RegisteredNetwork network, TrainSettings settings, MnistImages train, double degrees)
    {
        // Learning rate 0: the probe's weights stay as initialised, so no step diverges while it is timed.
        using var probe = network.CreateTrainer(new TrainerOptions(settings.BatchSize, settings.Threads, (ulong)settings.Seed, new Sgd(0, momentum: 0.9)));
        var images = new float[settings.BatchSize * MnistImages.Pixels];
        var labels = new int[settings.BatchSize];
        var batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch: 1, shuffle: true, degrees);

        var steps = 0;
        var clock = new Stopwatch();
        while (clock.Elapsed < Measured || steps < WarmUpSteps)
        {
            if (!batches.Next(images, labels))
                batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch: 1, shuffle: true, degrees);
            else
            {
                // The first steps pay for the JIT and first touches of memory: not timed.
                if (steps == WarmUpSteps) clock.Start();
                probe.Step(images, labels);
                steps++;
            }
        }
        var stepSeconds = clock.Elapsed.TotalSeconds / (steps - WarmUpSteps);

        probe.Evaluate(images);
        var evaluations = 0;
        clock.Restart();
        while (clock.Elapsed < Measured / 5 || evaluations < WarmUpSteps)
        {
            probe.Evaluate(images);
            evaluations++;
        }
        return (stepSeconds, clock.Elapsed.TotalSeconds / evaluations);
    }

    /// <summary>Seconds as a person reads them: "45 s", "3 min 20 s", "1 h 5 min".</summary>
    internal static string Duration(double seconds)
    {
        var rounded = TimeSpan.FromSeconds(Math.Round(seconds));
        if (rounded.TotalMinutes < 1) return $"{rounded.Seconds} s";
        if (rounded.TotalHours < 1) return $"{rounded.Minutes} min {rounded.Seconds} s";
        return $"{(int)rounded.TotalHours} h {rounded.Minutes} min";
    }
}
