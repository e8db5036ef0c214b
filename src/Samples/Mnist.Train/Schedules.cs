using Mnist.Torch;
using Mnist.Torch.Optim;

namespace Mnist.Train;

/// <summary>A learning-rate schedule, stepped where it expects to be: one-cycle per batch, the others per epoch.</summary>
internal sealed class Schedules
{
    private readonly LRScheduler? scheduler;
    private readonly bool perBatch, onMetric;

    private Schedules(LRScheduler? scheduler, bool perBatch, bool onMetric) => (this.scheduler, this.perBatch, this.onMetric) = (scheduler, perBatch, onMetric);

    public static Schedules Create(TrainSettings settings, Optimizer optimizer, int batchesPerEpoch) => settings.Schedule switch
    {
        ScheduleKind.OneCycle => new(torch.optim.lr_scheduler.OneCycleLR(optimizer, settings.LearningRate, epochs: settings.Epochs, steps_per_epoch: batchesPerEpoch), true, false),
        ScheduleKind.Step => new(torch.optim.lr_scheduler.StepLR(optimizer, step_size: settings.StepEpochs, gamma: 0.1), false, false),
        ScheduleKind.Plateau => new(torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience: 1), false, true),
        _ => new(null, false, false),
    };

    public void AfterBatch()
    {
        if (perBatch) scheduler!.step();
    }

    public void AfterEpoch(double testLoss)
    {
        if (scheduler is null || perBatch) return;
        if (onMetric) scheduler.step(testLoss);
        else scheduler.step();
    }
}
