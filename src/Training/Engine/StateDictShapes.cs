using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Training.Engine;

/// <summary>What a state-dict entry holds for a trainer: a parameter, a float buffer (running statistics) or
/// BatchNorm's int64 batch counter.</summary>
public enum StateKind { Parameter, Buffer, BatchCounter }

/// <summary>One state-dict entry of a network's module: its key, shape and kind.</summary>
public sealed record StateEntry(string Key, long[] Shape, StateKind Kind);

/// <summary>
/// A network's state dict as its module has it (keys, shapes, order), from <see cref="ModuleLayout"/>, the one
/// definition of those names: a trainer's flat parameter layout knows names and lengths only, and a weights file must
/// have the module's shapes. Sorted into what the trainer keeps where: parameters, running statistics, batch counts.
/// </summary>
public static class StateDictShapes
{
    public static List<StateEntry> Of(NetworkSummary summary) =>
        ModuleLayout.Of(summary).State.Select(t => new StateEntry(t.Key, t.Shape.ToArray(),
            t.IsCount ? StateKind.BatchCounter
            : t.Key.EndsWith(".running_mean", System.StringComparison.Ordinal)
                || t.Key.EndsWith(".running_var", System.StringComparison.Ordinal) ? StateKind.Buffer
            : StateKind.Parameter)).ToList();
}
