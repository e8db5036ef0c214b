using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;

namespace Mnist.Dsl.Training.Engine;

/// <summary>A trainer whose parameters and buffers are known under other state-dict keys; everything else is the inner trainer's.</summary>
internal sealed class RenamedTrainer : ITrainer
{
    private readonly ITrainer inner;
    private readonly Dictionary<string, string> innerBufferName;

    public RenamedTrainer(ITrainer inner, Func<string, string> rename)
    {
        this.inner = inner;
        Layout = new ParameterLayout();
        foreach (var (name, _, count) in inner.Layout.Entries) Layout.Add(rename(name), count); // same order, so the same offsets
        innerBufferName = inner.BufferNames.ToDictionary(rename, n => n);
        BufferNames = inner.BufferNames.Select(rename).ToArray();
    }

    public ParameterLayout Layout { get; }

    public IReadOnlyList<string> BufferNames { get; }

    public Span<float> Buffer(string name) =>
        inner.Buffer(innerBufferName.TryGetValue(name, out var n) ? n : throw new KeyNotFoundException($"no buffer named {name}"));

    public int BatchSize => inner.BatchSize;
    public int Threads => inner.Threads;
    public long Steps { get => inner.Steps; set => inner.Steps = value; }
    public long ForwardMultiplyAdds => inner.ForwardMultiplyAdds;
    public float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels) => inner.Step(images, labels);
    public void Evaluate(ReadOnlySpan<float> images) => inner.Evaluate(images);
    public ReadOnlySpan<float> LogProbabilities => inner.LogProbabilities;
    public long WorkerAllocatedBytes(int member) => inner.WorkerAllocatedBytes(member);
    public Span<float> Parameters => inner.Parameters;
    public void ParametersChanged() => inner.ParametersChanged();
    public IOptimizer Optimizer => inner.Optimizer;
    public long BatchesTracked { get => inner.BatchesTracked; set => inner.BatchesTracked = value; }
    public Span<float> OptimizerState(int index) => inner.OptimizerState(index);
    public void Dispose() => inner.Dispose();
}
