using System;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>What a caller needs from a network's trainer, whatever vector width it was compiled for.</summary>
public interface ITrainer : IDisposable
{
    int BatchSize { get; }

    int Threads { get; }

    long Steps { get; }

    long ForwardMultiplyAdds { get; }

    float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels);

    void Evaluate(ReadOnlySpan<float> images);

    ReadOnlySpan<float> LogProbabilities { get; }

    /// <summary>Bytes allocated so far by thread <paramref name="member"/> of the trainer's team (0: the caller's).</summary>
    long WorkerAllocatedBytes(int member);
}
