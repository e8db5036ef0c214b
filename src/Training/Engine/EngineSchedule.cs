using Mnist.Dsl.Engine.Optim;

namespace Mnist.Dsl.Training.Engine;

/// <summary>
/// The learning-rate schedules of the TorchSharp backend's TorchSchedule on the plain-C# engine's optimizer, stepped where the torch
/// path steps them (one-cycle per batch, the others per epoch) and with its one quirk kept: one-cycle's step after
/// the run's last batch is skipped, so both engines report the same last learning rate.
/// </summary>
internal sealed class EngineSchedule
{
    private readonly IOptimizer _optimizer;
    private readonly OneCycleLR? _oneCycle;
    private readonly StepLR? _step;
    private readonly ReduceLROnPlateau? _plateau;
    private int _steps;

    public EngineSchedule(TrainSettings settings, IOptimizer optimizer, int batchesPerEpoch)
    {
        _optimizer = optimizer;
        switch (settings.Schedule)
        {
            case ScheduleKind.OneCycle:
                _oneCycle = new OneCycleLR(settings.LearningRate, settings.Epochs * batchesPerEpoch, settings.Warmup);
                break;
            case ScheduleKind.Step:
                _step = new StepLR(settings.LearningRate, settings.StepEpochs, gamma: 0.1);
                break;
            case ScheduleKind.Plateau:
                _plateau = new ReduceLROnPlateau(settings.LearningRate, patience: 1);
                break;
        }
        Apply();
    }

    public void AfterBatch()
    {
        if (_oneCycle is null) return;
        if (++_steps < _oneCycle.TotalSteps) _oneCycle.Step();
        Apply();
    }

    public void AfterEpoch(double testLoss)
    {
        _step?.Step();
        _plateau?.Step(testLoss);
        Apply();
    }

    // PyTorch's OneCycleLR sets both the rate and the momentum (Adam's beta1) from its first step on.
    private void Apply()
    {
        if (_oneCycle is not null)
        {
            _optimizer.LearningRate = _oneCycle.LearningRate;
            _optimizer.Momentum = _oneCycle.Momentum;
        }
        else if (_step is not null) _optimizer.LearningRate = _step.LearningRate;
        else if (_plateau is not null) _optimizer.LearningRate = _plateau.LearningRate;
    }
}
