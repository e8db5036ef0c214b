using System;
using System.Collections.Generic;
using System.Linq;
using static System.FormattableString;

namespace Mnist.Torch.Optim;

/// <summary>
/// The 1cycle policy, stepped after every batch: the learning rate rises from max_lr/div_factor to max_lr
/// over the first pct_start of the steps, then falls to initial_lr/final_div_factor (or, with three_phase,
/// back to initial_lr and then down to that minimum), while the momentum (SGD's momentum, Adam's beta1)
/// moves the opposite way between max_momentum and base_momentum. Not chainable: it sets the rates outright.
/// </summary>
public sealed class OneCycleLR : LRScheduler
{
    public enum AnnealStrategy
    {
        Cos,
        Linear,
    }

    /// <summary>A parameter group's values the phases run between (PyTorch keeps them in the group).</summary>
    private readonly record struct Bounds(double InitialLr, double MaxLr, double MinLr, double BaseMomentum, double MaxMomentum);

    /// <summary>One phase: from the previous phase's end step to <see cref="EndStep"/>, between two of the bounds.</summary>
    private sealed record Phase(double EndStep, Func<Bounds, double> StartLr, Func<Bounds, double> EndLr, Func<Bounds, double> StartMomentum, Func<Bounds, double> EndMomentum);

    private readonly int totalSteps;
    private readonly Phase[] phases;
    private readonly AnnealStrategy anneal;
    private readonly bool cycleMomentum;
    private readonly Bounds[] bounds;

    internal OneCycleLR(Optimizer optimizer, double max_lr, int total_steps, int epochs, int steps_per_epoch, double pct_start,
        AnnealStrategy anneal_strategy, bool cycle_momentum, double base_momentum, double max_momentum, double div_factor,
        double final_div_factor, bool three_phase, int last_epoch)
        : base(optimizer, last_epoch)
    {
        // -1 stands for PyTorch's None. The checks and their wording follow PyTorch 1.13, in its order.
        if (total_steps == -1 && epochs == -1 && steps_per_epoch == -1)
            throw new ArgumentException("You must define either total_steps OR (epochs AND steps_per_epoch)");
        if (total_steps != -1)
        {
            if (total_steps <= 0) throw new ArgumentException($"Expected positive integer total_steps, but got {total_steps}");
            totalSteps = total_steps;
        }
        else
        {
            if (epochs <= 0) throw new ArgumentException($"Expected positive integer epochs, but got {epochs}");
            if (steps_per_epoch <= 0) throw new ArgumentException($"Expected positive integer steps_per_epoch, but got {steps_per_epoch}");
            totalSteps = checked(epochs * steps_per_epoch);
        }

        // The phase boundaries are PyTorch's float expressions evaluated in the same order, so that the
        // percentages, hence the rates, come out with the same bits.
        phases = three_phase
            ? new[]
            {
                new Phase(pct_start * totalSteps - 1, static b => b.InitialLr, static b => b.MaxLr, static b => b.MaxMomentum, static b => b.BaseMomentum),
                new Phase(2 * pct_start * totalSteps - 2, static b => b.MaxLr, static b => b.InitialLr, static b => b.BaseMomentum, static b => b.MaxMomentum),
                new Phase(totalSteps - 1, static b => b.InitialLr, static b => b.MinLr, static b => b.MaxMomentum, static b => b.MaxMomentum),
            }
            : new[]
            {
                new Phase(pct_start * totalSteps - 1, static b => b.InitialLr, static b => b.MaxLr, static b => b.MaxMomentum, static b => b.BaseMomentum),
                new Phase(totalSteps - 1, static b => b.MaxLr, static b => b.MinLr, static b => b.BaseMomentum, static b => b.MaxMomentum),
            };

        if (pct_start is < 0 or > 1 || double.IsNaN(pct_start))
            throw new ArgumentException(Invariant($"Expected float between 0 and 1 pct_start, but got {pct_start}"));
        if (anneal_strategy is not (AnnealStrategy.Cos or AnnealStrategy.Linear))
            // PyTorch's wording, typo included, so that searching for the message finds PyTorch's answers.
            throw new ArgumentException($"anneal_strategy must by one of 'cos' or 'linear', instead got {anneal_strategy}");
        anneal = anneal_strategy;

        // PyTorch keeps these values in the param groups; ours hold only the initial rate, so the scheduler
        // keeps them. When resuming (last_epoch != -1) the same arguments give the values PyTorch saved.
        var initialLr = max_lr / div_factor;
        var groups = optimizer.ParamGroups;
        bounds = groups.Select(_ => new Bounds(initialLr, max_lr, initialLr / final_div_factor, base_momentum, max_momentum)).ToArray();
        if (last_epoch == -1)
            foreach (var group in groups) group.InitialLearningRate = initialLr;

        // Every optimizer here has a momentum (SGD's momentum or Adam's beta1), so PyTorch's
        // "optimizer must support momentum" error cannot occur.
        cycleMomentum = cycle_momentum;
        if (cycleMomentum && last_epoch == -1)
            foreach (var group in groups) group.Momentum = max_momentum;

        InitialStep();
    }

    /// <summary>The length of the cycle in steps: step() may be called this many times after construction.</summary>
    public int total_steps => totalSteps;

    protected override IReadOnlyList<double> get_lr()
    {
        var stepNum = last_epoch;
        if (stepNum > totalSteps)
            throw new ArgumentException($"Tried to step {stepNum + 1} times. The specified number of total steps is {totalSteps}");

        var groups = optimizer.ParamGroups;
        var rates = new double[groups.Count];
        for (var g = 0; g < groups.Count; g++)
        {
            double startStep = 0;
            for (var p = 0; p < phases.Length; p++)
            {
                var phase = phases[p];
                if (stepNum <= phase.EndStep || p == phases.Length - 1)
                {
                    var span = phase.EndStep - startStep;
                    // Python raises ZeroDivisionError here; a NaN rate would silently wreck the training.
                    if (span == 0)
                        throw new ArgumentException(Invariant($"OneCycleLR with total_steps {totalSteps} has an empty phase ending at step {phase.EndStep} (float division by zero in PyTorch): change pct_start or total_steps"));
                    var pct = (stepNum - startStep) / span;
                    rates[g] = Anneal(phase.StartLr(bounds[g]), phase.EndLr(bounds[g]), pct);
                    if (cycleMomentum) groups[g].Momentum = Anneal(phase.StartMomentum(bounds[g]), phase.EndMomentum(bounds[g]), pct);
                    break;
                }
                startStep = phase.EndStep;
            }
        }
        return rates;
    }

    private double Anneal(double start, double end, double pct) => anneal == AnnealStrategy.Cos ? AnnealingCos(start, end, pct) : AnnealingLinear(start, end, pct);

    /// <summary>Cosine from start (pct 0) to end (pct 1), written as PyTorch's _annealing_cos for identical rounding.</summary>
    private static double AnnealingCos(double start, double end, double pct)
    {
        var cosOut = Math.Cos(Math.PI * pct) + 1;
        return end + (start - end) / 2.0 * cosOut;
    }

    /// <summary>Straight line from start to end, as PyTorch's _annealing_linear.</summary>
    private static double AnnealingLinear(double start, double end, double pct) => (end - start) * pct + start;
}
