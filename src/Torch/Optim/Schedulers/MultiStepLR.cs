using System.Collections.Generic;
using System.Linq;

namespace Mnist.Torch.Optim;

/// <summary>
/// Multiplies each group's learning rate by gamma when the epoch reaches a milestone; a milestone listed
/// k times multiplies by gamma^k, as PyTorch's Counter of milestones does. Chainable like <see cref="StepLR"/>.
/// </summary>
public sealed class MultiStepLR : LRScheduler
{
    private readonly Dictionary<int, int> milestoneCounts;
    private readonly double gamma;

    internal MultiStepLR(Optimizer optimizer, IEnumerable<int> milestones, double gamma, int last_epoch)
        : base(optimizer, last_epoch)
    {
        milestoneCounts = milestones.GroupBy(m => m).ToDictionary(g => g.Key, g => g.Count());
        this.gamma = gamma;
        InitialStep();
    }

    protected override IReadOnlyList<double> get_lr()
    {
        var current = optimizer.ParamGroups.Select(g => g.LearningRate);
        if (!milestoneCounts.TryGetValue(last_epoch, out var count)) return current.ToArray();
        // gamma ** count in Python is C's pow on doubles, as Math.Pow is: the same bits.
        var factor = System.Math.Pow(gamma, count);
        return current.Select(lr => lr * factor).ToArray();
    }
}
