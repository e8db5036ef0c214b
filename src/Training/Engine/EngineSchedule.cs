using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Training.Cli;

namespace Mnist.Dsl.Training.Engine;

/// <summary>
/// The learning-rate schedules of the TorchSharp backend's TorchSchedule on the plain-C# engine's optimizer, stepped where the torch
/// path steps them (one-cycle per batch, the others per epoch) and with its one quirk kept: one-cycle's step after
/// the run's last batch is skipped, so both engines report the same last learning rate.
/// </summary>
internal sealed class EngineSchedule
{
    private readonly IOptimizer optimizer;
    private readonly OneCycleLR? oneCycle;
    private readonly StepLR? step;
    private readonly ReduceLROnPlateau? plateau;
    private int steps;

    public EngineSchedule(TrainSettings settings, IOptimizer optimizer, int batchesPerEpoch)
    {
        this.optimizer = optimizer;
        switch (settings.Schedule)
        {
            case ScheduleKind.OneCycle:
                oneCycle = new OneCycleLR(settings.LearningRate, settings.Epochs * batchesPerEpoch, settings.Warmup);
                break;
            case ScheduleKind.Step:
                step = new StepLR(settings.LearningRate, settings.StepEpochs, gamma: 0.1);
                break;
            case ScheduleKind.Plateau:
                plateau = new ReduceLROnPlateau(settings.LearningRate, patience: 1);
                break;
        }
        Apply();
    }

    public void AfterBatch()
    {
        if (oneCycle is null) return;
        if (++steps < oneCycle.TotalSteps) oneCycle.Step();
        Apply();
    }

    public void AfterEpoch(double testLoss)
    {
        step?.Step();
        plateau?.Step(testLoss);
        Apply();
    }

    // PyTorch's OneCycleLR sets both the rate and the momentum (Adam's beta1) from its first step on.
    private void Apply()
    {
        if (oneCycle is not null)
        {
            optimizer.LearningRate = oneCycle.LearningRate;
            optimizer.Momentum = oneCycle.Momentum;
        }
        else if (step is not null) optimizer.LearningRate = step.LearningRate;
        else if (plateau is not null) optimizer.LearningRate = plateau.LearningRate;
    }
}
