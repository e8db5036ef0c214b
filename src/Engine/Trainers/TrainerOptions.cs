using Mnist.Dsl.Engine.Optim;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// What every generated trainer is built from: images per step, worker threads (the caller's included), the seed of
/// the initial weights and dropout masks, the optimizer (SGD or Adam; a schedule sets its LearningRate/Momentum
/// between steps) and, for measurements, the vector width (null: the widest this processor accelerates).
/// </summary>
public sealed record TrainerOptions(int BatchSize, int Threads, ulong Seed, IOptimizer Optimizer, SimdWidth? Width = null)
{
    /// <summary>
    /// Null: every dropout layer keeps its declared p. A value replaces the p of every declared dropout layer (0 for
    /// gradient parity with PyTorch, whose masks come from another generator); layers not declared stay absent.
    /// </summary>
    public double? DropoutOverride { get; init; }
}
