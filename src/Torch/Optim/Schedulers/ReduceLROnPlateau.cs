using System;
using System.Collections.Generic;
using System.Linq;

namespace Mnist.Torch.Optim;

/// <summary>
/// Multiplies the learning rates by <c>factor</c> once a metric (e.g. the validation loss) has not improved
/// for more than <c>patience</c> steps, then waits <c>cooldown</c> steps before counting again. Improvement
/// means beating the best value by more than <c>threshold</c> (relative or absolute); a reduction smaller
/// than <c>eps</c> (near <c>min_lr</c>) is skipped. PyTorch 1.13's rules, step for step.
/// </summary>
public sealed class ReduceLROnPlateau : LRScheduler
{
    private readonly bool minimize, relative;
    private readonly double factor, threshold, eps;
    private readonly int patience, cooldown;
    private readonly double[] minLrs;
    private double bestMetric;
    private int numBadEpochs, cooldownCounter;

    internal ReduceLROnPlateau(Optimizer optimizer, string mode, double factor, int patience, double threshold, string threshold_mode, int cooldown, double min_lr, double eps)
        : base(optimizer, last_epoch: 0)
    {
        // PyTorch's checks and wording.
        if (factor >= 1.0) throw new ArgumentException("Factor should be < 1.0.");
        if (mode is not ("min" or "max")) throw new ArgumentException($"mode {mode} is unknown!");
        if (threshold_mode is not ("rel" or "abs")) throw new ArgumentException($"threshold mode {threshold_mode} is unknown!");
        (minimize, relative) = (mode == "min", threshold_mode == "rel");
        (this.factor, this.patience, this.threshold, this.cooldown, this.eps) = (factor, patience, threshold, cooldown, eps);
        minLrs = optimizer.ParamGroups.Select(_ => min_lr).ToArray();
        bestMetric = minimize ? double.PositiveInfinity : double.NegativeInfinity;
    }

    /// <summary>The best metric so far (infinitely bad before the first step).</summary>
    public double best => bestMetric;

    /// <summary>Steps without improvement since the last improvement, reduction or cooldown.</summary>
    public int num_bad_epochs => numBadEpochs;

    /// <summary>Whether the steps after a reduction are still being ignored.</summary>
    public bool in_cooldown => cooldownCounter > 0;

    /// <summary>This scheduler needs the metric: a step without it is a mistake, not a no-op.</summary>
    public override void step() =>
        throw new InvalidOperationException("ReduceLROnPlateau needs the monitored metric: call step(metric), e.g. with the validation loss.");

    /// <summary>Records one epoch's metric and reduces the learning rates if it has plateaued.</summary>
    public override void step(double metric)
    {
        AdvanceEpoch();
        if (IsBetter(metric, bestMetric))
        {
            bestMetric = metric;
            numBadEpochs = 0;
        }
        else numBadEpochs++;

        if (in_cooldown)
        {
            cooldownCounter--;
            numBadEpochs = 0; // bad epochs during the cooldown do not count
        }

        if (numBadEpochs > patience)
        {
            ReduceLr();
            cooldownCounter = cooldown;
            numBadEpochs = 0;
        }
        RecordRates();
    }

    /// <summary>Not used: the rates change only in <see cref="step(double)"/>.</summary>
    protected override IReadOnlyList<double> get_lr() => optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();

    // NaN is never better, so a NaN loss counts as a bad epoch, as in PyTorch.
    private bool IsBetter(double a, double best) => (minimize, relative) switch
    {
        (true, true) => a < best * (1.0 - threshold),
        (true, false) => a < best - threshold,
        (false, true) => a > best * (threshold + 1.0),
        (false, false) => a > best + threshold,
    };

    private void ReduceLr()
    {
        var groups = optimizer.ParamGroups;
        for (var i = 0; i < groups.Count; i++)
        {
            var oldLr = groups[i].LearningRate;
            var newLr = Math.Max(oldLr * factor, minLrs[i]);
            if (oldLr - newLr > eps) groups[i].LearningRate = newLr;
        }
    }
}
