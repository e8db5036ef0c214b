using System;
using System.Collections.Generic;
using System.Linq;

namespace Mnist.Torch.Optim;

/// <summary>
/// Multiplies each group's learning rate by gamma every <c>step_size</c> epochs. Like PyTorch's, it is
/// chainable: it scales the current rate rather than recomputing base_lr·gamma^(epoch/step_size), so changes
/// made by other schedulers or by hand between steps are kept.
/// </summary>
public sealed class StepLR : LRScheduler
{
    private readonly int stepSize;
    private readonly double gamma;

    internal StepLR(Optimizer optimizer, int step_size, double gamma, int last_epoch)
        : base(optimizer, last_epoch)
    {
        // PyTorch does not check, and fails later with a modulo by zero; say it at construction instead.
        if (step_size <= 0) throw new ArgumentException($"step_size must be a positive number of epochs, but got {step_size}");
        (stepSize, this.gamma) = (step_size, gamma);
        InitialStep();
    }

    protected override IReadOnlyList<double> get_lr()
    {
        var current = optimizer.ParamGroups.Select(g => g.LearningRate);
        return (last_epoch == 0 || last_epoch % stepSize != 0 ? current : current.Select(lr => lr * gamma)).ToArray();
    }
}
