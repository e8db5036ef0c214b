using System.Diagnostics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;

namespace Mnist.Dsl.Training.Runs;

/// <summary>
/// How long a run on the generated engine will take, said before it starts: a throwaway trainer of the same network,
/// batch size and threads steps on the run's first batches (data path and augmentation included) and evaluates one
/// test batch, and the measured times scale to the run's steps and test passes. The run's own trainer is not touched,
/// so its numbers are the same with or without the estimate.
/// </summary>
internal static class RunEstimate
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(0.25);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(4);

    /// <summary>The line to print: the run's total, per epoch, and what it was measured from.</summary>
    public static string Describe(RegisteredNetwork network, TrainSettings settings, MnistImages train, int testCount, int epochs, double degrees)
    {
        var (stepSeconds, evalSeconds) = Measure(network, settings, train, degrees);
        var batchesPerEpoch = train.Count / settings.BatchSize;
        var testBatches = (testCount + settings.BatchSize - 1) / settings.BatchSize;
        var epochSeconds = batchesPerEpoch * stepSeconds + testBatches * evalSeconds;
        return string.Format(CultureInfo.InvariantCulture,
            "Expected time: about {0} for {1} epoch{2} ({3:F1} s each: {4:N0} training images/s measured on a warm-up, " +
                "{5:F2}M multiply-adds per image forward).",
            Duration(epochs * epochSeconds), epochs, epochs == 1 ? "" : "s", epochSeconds, settings.BatchSize / stepSeconds,
                network.Summary.MultiplyAdds / 1e6);
    }

    private static (double StepSeconds, double EvalSeconds) Measure(RegisteredNetwork network, TrainSettings settings, MnistImages train,
        double degrees)
    {
        // Learning rate 0: the probe's weights stay as initialised, so no step diverges while it is timed.
        using var probe = network.CreateTrainer(
            new TrainerOptions(settings.BatchSize, settings.Threads, (ulong)settings.Seed, new Sgd(0, momentum: 0.9)));
        var images = new float[settings.BatchSize * MnistImages.Pixels];
        var labels = new int[settings.BatchSize];
        var batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch: 1, shuffle: true, degrees, settings.Threads);
        var stepSeconds = Settled(() =>
        {
            if (!batches.Next(images, labels))
            {
                batches = new EpochBatches(train, settings.BatchSize, settings.Seed, epoch: 1, shuffle: true, degrees, settings.Threads);
                batches.Next(images, labels);
            }
            probe.Step(images, labels);
        });
        return (stepSeconds, Settled(() => probe.Evaluate(images)));
    }

    /// <summary>
    /// Seconds per call of <paramref name="work"/> once the JIT has settled: the first calls run unoptimised code and
    /// the runtime recompiles the hot methods in the background for a second or so, so the time is taken in windows
    /// until two in a row agree within 10% (or the time is up), and the last window counts.
    /// </summary>
    private static double Settled(Action work)
    {
        var limit = Stopwatch.StartNew();
        var previous = double.NaN;
        while (true)
        {
            var calls = 0;
            var window = Stopwatch.StartNew();
            while (window.Elapsed < Window || calls < 2)
            {
                work();
                calls++;
            }
            var seconds = window.Elapsed.TotalSeconds / calls;
            if (Math.Abs(seconds - previous) < 0.1 * seconds || limit.Elapsed > Limit) return seconds;
            previous = seconds;
        }
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
