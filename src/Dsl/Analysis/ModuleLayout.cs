namespace Mnist.Dsl.Analysis;

/// <summary>One tensor of a module's state dict: its key (conv1.weight), its shape, and whether it is an integer count.</summary>
public sealed record StateTensor(string Key, IReadOnlyList<long> Shape, bool IsCount)
{
    /// <summary>[16, 1, 3, 3], or [] for a scalar.</summary>
    public string ShapeText => "[" + string.Join(", ", Shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";

    public override string ToString() => Key + " " + ShapeText;
}

/// <summary>
/// The names a network's layers have as a torch module, which are the state-dict keys weights files depend on:
/// members conv1, bn1, relu1, ... numbered per stem in declaration order (functional layers have none), and each
/// member's parameters and buffers (conv1.weight, bn1.running_mean, ...) with their shapes. The one definition of
/// these names: the generator emits its fields and registrations from it, the run-time module builder
/// (Mnist.Dsl.Training) registers its modules by it, and a weights file can be matched against a network with no
/// torch runtime at all.
/// </summary>
public sealed class ModuleLayout
{
    private ModuleLayout(IReadOnlyList<string?> members, IReadOnlyList<IReadOnlyList<StateTensor>> stateByLayer)
    {
        Members = members;
        StateByLayer = stateByLayer;
        State = stateByLayer.SelectMany(s => s).ToArray();
    }

    /// <summary>Member names, index for index with the summary's layers; null for functional layers.</summary>
    public IReadOnlyList<string?> Members { get; }

    /// <summary>Each layer's state-dict tensors, in PyTorch's order (none for stateless and functional layers).</summary>
    public IReadOnlyList<IReadOnlyList<StateTensor>> StateByLayer { get; }

    /// <summary>Every state-dict tensor of the module, in registration order.</summary>
    public IReadOnlyList<StateTensor> State { get; }

    /// <summary>The layout of a network whose shapes work (its summary gives every layer's input, which sets the weights' shapes).</summary>
    public static ModuleLayout Of(NetworkSummary summary)
    {
        if (summary is null) throw new ArgumentNullException(nameof(summary));
        var counters = new Dictionary<string, int>();
        var members = new string?[summary.Layers.Count];
        var state = new IReadOnlyList<StateTensor>[summary.Layers.Count];
        foreach (var report in summary.Layers)
        {
            var i = report.Index;
            state[i] = Array.Empty<StateTensor>();
            if (report.Layer.IsFunctional) continue;
            var stem = report.Layer.MemberStem;
            counters.TryGetValue(stem, out var n);
            counters[stem] = ++n;
            var member = stem + n.ToString(CultureInfo.InvariantCulture);
            members[i] = member;
            state[i] = report.Layer.StateEntries.Select(entry =>
                new StateTensor(member + "." + entry, report.Layer.StateShape(entry, report.Input, report.Output), entry == "num_batches_tracked"))
                .ToArray();
        }
        return new ModuleLayout(members, state);
    }

    /// <summary>The names of a layer's parameters and buffers in its module, in PyTorch's order (the kind's
    /// <see cref="Layer.StateEntries"/>).</summary>
    public static IReadOnlyList<string> StateEntries(Layer layer) => layer.StateEntries;
}
