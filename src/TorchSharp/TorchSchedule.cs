using static TorchSharp.torch.optim.lr_scheduler;

namespace Mnist.Dsl.Torch;

/// <summary>A learning-rate schedule, stepped where it expects to be: one-cycle per batch, the others per epoch.</summary>
internal sealed class TorchSchedule
{
    private readonly LRScheduler? _scheduler;
    private readonly bool _perBatch, _onMetric;
    private readonly int _totalSteps;
    private int _steps;

    private TorchSchedule(LRScheduler? scheduler, bool perBatch, bool onMetric, int totalSteps = 0) =>
        (_scheduler, _perBatch, _onMetric, _totalSteps) = (scheduler, perBatch, onMetric, totalSteps);

    public static TorchSchedule Create(TrainSettings settings, torch.optim.Optimizer optimizer, int batchesPerEpoch) => settings.Schedule switch
    {
        ScheduleKind.OneCycle =>
            new(OneCycleLR(optimizer, settings.LearningRate, epochs: settings.Epochs, steps_per_epoch: batchesPerEpoch, pct_start: settings.Warmup),
                true, false, settings.Epochs * batchesPerEpoch),
        ScheduleKind.Step => new(StepLR(optimizer, step_size: settings.StepEpochs, gamma: 0.1), false, false),
        ScheduleKind.Plateau => new(ReduceLROnPlateau(optimizer, patience: 1), false, true),
        _ => new(null, false, false),
    };

    public void AfterBatch()
    {
        if (!_perBatch) return;
        // After the run's last batch PyTorch's OneCycleLR extrapolates its last phase, while TorchSharp 0.107's
        // sets the rate and momentum to 0 (it tests the parameter group's index where PyTorch tests the phase's).
        // Nothing trains with that rate; skipping that one step keeps the last epoch's reported rate meaningful.
        if (++_steps < _totalSteps) _scheduler!.step();
    }

    public void AfterEpoch(double testLoss)
    {
        if (_scheduler is null || _perBatch) return;
        if (_onMetric) _scheduler.step(testLoss);
        else _scheduler.step();
    }
}
