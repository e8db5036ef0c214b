using Mnist.Dsl.Engine.Optim;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// What a caller needs from a network's trainer, whatever vector width it was compiled for. Parameters, buffers and
/// optimizer state are exposed under PyTorch's state-dict keys so that weights files and checkpoints are the module's.
/// </summary>
/// <remarks>
/// Resuming a run exactly needs a trainer built with the same TrainerOptions.Seed (it keys the dropout masks) and,
/// besides <see cref="Parameters"/> (then <see cref="ParametersChanged"/>), every
/// <see cref="Buffer"/> and <see cref="BatchesTracked"/>: every <see cref="OptimizerState"/> buffer and
/// <see cref="Steps"/> (it keys the dropout masks of the next step, and the optimizer's own step count, e.g. Adam's
/// bias correction, must be restored on the <see cref="IOptimizer"/> with it), and the schedule's position (the
/// caller's: it sets the optimizer's LearningRate and Momentum).
/// </remarks>
public interface ITrainer : IDisposable
{
    int BatchSize { get; }

    int Threads { get; }

    /// <summary>Steps taken so far; the dropout masks of a step are a function of (seed, step), so a resumed run sets it.</summary>
    long Steps { get; set; }

    long ForwardMultiplyAdds { get; }

    float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels);

    void Evaluate(ReadOnlySpan<float> images);

    ReadOnlySpan<float> LogProbabilities { get; }

    /// <summary>Bytes allocated so far by thread <paramref name="member"/> of the trainer's team (0: the caller's).</summary>
    long WorkerAllocatedBytes(int member);

    /// <summary>Every parameter tensor's state-dict key, offset and length in <see cref="Parameters"/>.</summary>
    ParameterLayout Layout { get; }

    /// <summary>All parameters, flat, in <see cref="Layout"/> order. Call <see cref="ParametersChanged"/> after writing.</summary>
    Span<float> Parameters { get; }

    /// <summary>The last step's gradient of every parameter (reduced over the batch), flat and parallel to
    /// <see cref="Parameters"/>; valid until the next step.</summary>
    ReadOnlySpan<float> Gradients { get; }

    /// <summary>Refreshes what the trainer derives from the parameters (packed convolution weights); call after writing them.</summary>
    void ParametersChanged();

    IOptimizer Optimizer { get; }

    /// <summary>The float buffers in state-dict order ("bn1.running_mean", "bn1.running_var", ...); num_batches_tracked
    /// is <see cref="BatchesTracked"/>.</summary>
    IReadOnlyList<string> BufferNames { get; }

    /// <summary>The buffer named <paramref name="name"/> (one of <see cref="BufferNames"/>), writable.</summary>
    Span<float> Buffer(string name);

    /// <summary>BatchNorm's num_batches_tracked, the same for every BatchNorm layer (0 when there is none).</summary>
    long BatchesTracked { get; set; }

    /// <summary>The optimizer's state buffer <paramref name="index"/> (below Optimizer.StateBuffers), flat and parallel
    /// to <see cref="Parameters"/>.</summary>
    Span<float> OptimizerState(int index);
}
