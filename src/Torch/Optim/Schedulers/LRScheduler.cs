using System;
using System.Collections.Generic;
using System.Linq;

namespace Mnist.Torch.Optim;

/// <summary>
/// Base of the learning-rate schedulers in <see cref="torch.optim.lr_scheduler"/>: PyTorch's chainable
/// protocol. Each <see cref="step()"/> advances <see cref="last_epoch"/>, asks <see cref="get_lr"/> for the new
/// rates and writes them into the optimizer's parameter groups, so several schedulers (and the user) can
/// act on the same optimizer.
/// </summary>
public abstract class LRScheduler
{
    private double[] lastLr;

    protected LRScheduler(Optimizer optimizer, int last_epoch)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        this.optimizer = optimizer;
        this.last_epoch = last_epoch;
        lastLr = CurrentRates();
        base_lrs = Array.Empty<double>();
    }

    protected Optimizer optimizer { get; }

    /// <summary>The index of the last step taken (0 after construction, as in PyTorch).</summary>
    public int last_epoch { get; private set; }

    /// <summary>
    /// Each group's initial learning rate when the schedule started (PyTorch's base_lrs). It is read at the
    /// initial step rather than in the constructor because OneCycleLR sets the initial rates first.
    /// </summary>
    public IReadOnlyList<double> base_lrs { get; private set; }

    /// <summary>The rates the last step set, one per parameter group.</summary>
    public IList<double> get_last_lr() => (double[])lastLr.Clone();

    /// <summary>Advances the schedule by one epoch (or batch, for OneCycleLR) and updates the optimizer's rates.</summary>
    public virtual void step()
    {
        AdvanceEpoch();
        var rates = get_lr();
        var groups = optimizer.ParamGroups;
        for (var i = 0; i < groups.Count; i++) groups[i].LearningRate = rates[i];
        lastLr = CurrentRates();
    }

    /// <summary>
    /// TorchSharp's metric overload, so training loops can call every scheduler the same way: the metric is
    /// ignored except by <see cref="ReduceLROnPlateau"/>.
    /// </summary>
    public virtual void step(double metric) => step();

    /// <summary>
    /// The rates for the new <see cref="last_epoch"/>. Chainable schedulers derive them from the groups'
    /// current rates; called exactly once per step, since some (OneCycleLR) also update the momentum.
    /// </summary>
    protected abstract IReadOnlyList<double> get_lr();

    /// <summary>
    /// PyTorch's _initial_step: the step every scheduler takes at construction, which sets the rates of
    /// epoch last_epoch + 1. Derived constructors call it last, once their own fields are set.
    /// </summary>
    protected void InitialStep()
    {
        base_lrs = optimizer.ParamGroups.Select(g => g.InitialLearningRate).ToArray();
        step();
    }

    /// <summary>Moves to the next epoch without computing rates (ReduceLROnPlateau decides them itself).</summary>
    private protected void AdvanceEpoch() => last_epoch++;

    /// <summary>Records rates a derived class set directly (ReduceLROnPlateau does not go through <see cref="get_lr"/>).</summary>
    private protected void RecordRates() => lastLr = CurrentRates();

    private double[] CurrentRates() => optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
}
