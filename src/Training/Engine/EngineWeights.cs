namespace Mnist.Dsl.Training.Engine;

/// <summary>
/// A plain-C# trainer's weights as the network's TorchSharp module has them: the same state-dict keys, shapes and
/// dtypes (float32 parameters and running statistics, an int64 scalar num_batches_tracked per BatchNorm), in the
/// module's order, so a weights file written from the engine loads into the module, PyTorch and the inference class.
/// </summary>
public static class EngineWeights
{
    /// <summary>The state dict, in the module's order.</summary>
    public static List<KeyValuePair<string, RawTensor>> StateDict(RegisteredNetwork network, ITrainer trainer)
    {
        var entries = Entries(network, trainer);
        var tensors = new List<KeyValuePair<string, RawTensor>>(entries.Count);
        foreach (var entry in entries)
        {
            var tensor = entry.Kind switch
            {
                StateKind.Parameter => RawTensor.Float32(Parameter(trainer, entry.Key), entry.Shape),
                StateKind.Buffer => RawTensor.Float32(trainer.Buffer(entry.Key), entry.Shape),
                _ => RawTensor.Int64(new[] { trainer.BatchesTracked }, entry.Shape),
            };
            tensors.Add(KeyValuePair.Create(entry.Key, tensor));
        }
        return tensors;
    }

    /// <summary>
    /// Copies a state dict (as <see cref="StateDict"/> writes it) into the trainer, after checking that every key is
    /// there with the right dtype and shape and that there are no others; <paramref name="source"/> names it in errors.
    /// </summary>
    public static void Load(RegisteredNetwork network, ITrainer trainer, IReadOnlyDictionary<string, RawTensor> tensors, string source)
    {
        var expected = StateDict(network, trainer).ToDictionary(t => t.Key, t => t.Value);
        var problems = new List<string>();
        foreach (var (name, like) in expected)
        {
            if (!tensors.TryGetValue(name, out var actual)) problems.Add($"{name} is missing");
            else if (actual.Dtype != like.Dtype || !actual.Shape.SequenceEqual(like.Shape))
                problems.Add($"{name} is {actual.Describe()}, not {like.Describe()}");
        }
        problems.AddRange(tensors.Keys.Where(k => !expected.ContainsKey(k)).Select(k => $"{k} is not a tensor of {network.Name}"));
        if (problems.Count > 0) throw new InvalidDataException($"{source} does not hold {network.Name}'s weights: {string.Join("; ", problems)}.");

        foreach (var (name, _, _) in trainer.Layout.Entries) tensors[name].AsFloat32().CopyTo(Parameter(trainer, name));
        foreach (var name in trainer.BufferNames) tensors[name].AsFloat32().CopyTo(trainer.Buffer(name));
        var tracked = expected.Keys.FirstOrDefault(k => k.EndsWith(".num_batches_tracked", StringComparison.Ordinal));
        if (tracked is not null) trainer.BatchesTracked = tensors[tracked].AsInt64()[0];
        trainer.ParametersChanged();
    }

    /// <summary>
    /// The parameters in the module's order (what torch.optim numbers them by) with their place in the trainer's flat
    /// vector, which may be in another order.
    /// </summary>
    public static List<(string Key, int Offset, int Count, long[] Shape)> Parameters(RegisteredNetwork network, ITrainer trainer) =>
        Entries(network, trainer).Where(e => e.Kind == StateKind.Parameter)
            .Select(e => (e.Key, trainer.Layout[e.Key].Offset, trainer.Layout[e.Key].Count, e.Shape)).ToList();

    /// <summary>The parameter's values in the trainer's flat vector.</summary>
    private static Span<float> Parameter(ITrainer trainer, string key)
    {
        var (offset, count) = trainer.Layout[key];
        return trainer.Parameters.Slice(offset, count);
    }

    /// <summary>The module's state-dict entries, after checking that the trainer has each parameter and buffer at its size.</summary>
    private static List<StateEntry> Entries(RegisteredNetwork network, ITrainer trainer)
    {
        var entries = StateDictShapes.Of(network.Summary);
        var parameters = trainer.Layout.Entries.ToDictionary(e => e.Name, e => (long)e.Count);
        var problems = new List<string>();
        foreach (var entry in entries)
        {
            var size = entry.Shape.Aggregate(1L, (a, b) => a * b);
            long? actual = entry.Kind switch
            {
                StateKind.Parameter => parameters.TryGetValue(entry.Key, out var count) ? count : null,
                StateKind.Buffer => trainer.BufferNames.Contains(entry.Key) ? trainer.Buffer(entry.Key).Length : null,
                _ => size,
            };
            if (actual != size) problems.Add(actual is null ? $"it has no {entry.Key}" : $"its {entry.Key} has {actual} values, not {size}");
        }
        var known = entries.Select(e => e.Key).ToHashSet();
        problems.AddRange(parameters.Keys.Concat(trainer.BufferNames).Where(k => !known.Contains(k)).Select(k => $"its {k} is not in the module"));
        if (problems.Count > 0)
            throw new InvalidOperationException(
                $"{network.FullName}'s trainer does not match its declaration ({string.Join("; ", problems)}): " +
                $"it was generated from another declaration; rebuild.");
        return entries;
    }

}
