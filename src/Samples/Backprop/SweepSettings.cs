using System;
using System.Collections.Generic;
using System.Linq;

namespace Backprop;

/// <summary>What the sweep trains: the example, the starting weights, the learning rates and how many iterations.</summary>
public sealed record SweepSettings(Example Example, Weights Initial, IReadOnlyList<double> LearningRates, int Iterations)
{
    /// <summary>The learning rates whose error graphs seed 001 shows.</summary>
    public static IReadOnlyList<double> SeedLearningRates { get; } = new[] { 0.1, 0.2, 0.5, 0.8, 1.0, 2.0 };

    /// <summary>
    /// The seed shows its sheet only as images; public copies of the same assignment sheet run 68 rows.
    /// 100 shows the tail of the slow rates as well.
    /// </summary>
    public const int DefaultIterations = 100;

    public static SweepSettings Default { get; } = new(Example.Default, Weights.Default, SeedLearningRates, DefaultIterations);

    /// <summary>Rejects settings that would produce an empty, ambiguous or non-finite sweep; says which.</summary>
    public SweepSettings Validated()
    {
        if (Iterations < 1) throw new ArgumentException($"iterations must be at least 1, not {Iterations}.");
        if (LearningRates.Count == 0) throw new ArgumentException("give at least one learning rate.");
        foreach (var lr in LearningRates)
            if (!double.IsFinite(lr) || lr <= 0) throw new ArgumentException($"learning rates must be positive numbers, not {lr}.");
        // One workbook sheet and one plot line per rate: a repeated rate would collide.
        if (LearningRates.Distinct().Count() != LearningRates.Count) throw new ArgumentException("each learning rate may appear once.");
        var numbers = new[] { Example.I1, Example.I2, Example.T1, Example.T2 }.Concat(Initial.ToArray());
        if (numbers.Any(v => !double.IsFinite(v))) throw new ArgumentException("inputs, targets and weights must be finite numbers.");
        return this;
    }
}
