using System.Diagnostics;
using System.Text;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// Where a training step's time goes, by phase, on thread 0 (MNIST_ENGINE_PROFILE=1; off, the checks fold away
/// because <see cref="Enabled"/> is a static readonly the JIT treats as a constant). For tuning, not for production.
/// </summary>
internal static class StepProfile
{
    public enum Phase
    {
        /// <summary>Forward units: normalise + dropout of the block before, convolution + ReLU + statistics.</summary>
        Forward,
        /// <summary>Backward units: head, BatchNorm + ReLU input gradient, convolution backward, dropout backward + sums.</summary>
        Backward,
        BarrierWait,
        ReduceUpdatePack,
    }

    public static readonly bool Enabled = Environment.GetEnvironmentVariable("MNIST_ENGINE_PROFILE") == "1";

    private static readonly long[] Ticks = new long[Enum.GetValues<Phase>().Length];
    private static readonly Dictionary<string, long> ActionTicks = new();
    private static long Last;

    /// <summary>The time stamp, when profiling on thread 0 (else 0): what <see cref="Charge"/> takes back.</summary>
    public static long Now(int thread) => Enabled && thread == 0 ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Charges the time since <paramref name="since"/> (from <see cref="Now"/>) to one unit's phase (thread 0 only).</summary>
    public static void Charge(int thread, string action, long since)
    {
        if (!Enabled || thread != 0) return;
        ActionTicks[action] = ActionTicks.GetValueOrDefault(action) + Stopwatch.GetTimestamp() - since;
    }

    /// <summary>Starts timing (thread 0, at the top of a step).</summary>
    public static void Start(int thread)
    {
        if (Enabled && thread == 0) Last = Stopwatch.GetTimestamp();
    }

    /// <summary>Charges the time since the previous mark to <paramref name="phase"/> (thread 0 only).</summary>
    public static void Mark(int thread, Phase phase)
    {
        if (!Enabled || thread != 0) return;
        long now = Stopwatch.GetTimestamp();
        Ticks[(int)phase] += now - Last;
        Last = now;
    }

    public static void Reset()
    {
        Array.Clear(Ticks);
        ActionTicks.Clear();
    }

    public static string Report(long images)
    {
        var text = new StringBuilder();
        long total = 0;
        foreach (var t in Ticks) total += t;
        foreach (var phase in Enum.GetValues<Phase>())
        {
            double us = Ticks[(int)phase] * 1e6 / Stopwatch.Frequency / images;
            text.AppendLine($"profile_{phase}={us:F1} us/image ({100.0 * Ticks[(int)phase] / Math.Max(total, 1):F1}%)");
        }
        foreach (var (action, ticks) in ActionTicks)
            text.AppendLine($"profile_unit {action}={ticks * 1e6 / Stopwatch.Frequency / images:F2} us/image " +
                $"({100.0 * ticks / Math.Max(total, 1):F1}%)");
        return text.ToString();
    }
}
