namespace Mnist.Dsl.Training.Checkpoints;

/// <summary>
/// The generated engine's checkpoint, in the torch path's layout: the module's state dict ("model.*"), the optimizer's
/// per-parameter state ("optimizer.{index}.momentum_buffer", or ".step", ".exp_avg", ".exp_avg_sq" for Adam; index =
/// the parameter's place in the state dict) and, as metadata, the epoch it ends and the steps taken (the dropout masks
/// and the optimizer's step count continue from it); with --ema, the average ("average.{index}") and its update count.
/// No generator state: the engine's data path draws each epoch from
/// (seed, epoch). The schedule is replayed, as on torch.
/// </summary>
internal static class EngineCheckpoint
{
    private const string Format = "mnist-train-engine-checkpoint/1";

    public static void Save(string path, RegisteredNetwork network, int epoch, ITrainer trainer, WeightAverage? average = null,
        MidEpoch? position = null)
    {
        var tensors = EngineWeights.StateDict(network, trainer).Select(t => KeyValuePair.Create("model." + t.Key, t.Value)).ToList();
        // Each state tensor has its parameter's shape; the index is the parameter's place in the state dict.
        var parameters = EngineWeights.Parameters(network, trainer);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (_, offset, count, shape) = parameters[i];
            // The optimizer names its state as PyTorch's does; it has none before it needs it (SGD before its first step).
            if (trainer.Optimizer.CountsStepsInState) tensors.Add(Entry($"{i}.step", RawTensor.Int64(new[] { trainer.Steps }, 1)));
            if (trainer.Optimizer.HasState)
                for (var b = 0; b < trainer.Optimizer.StateBuffers; b++)
                    tensors.Add(Entry($"{i}.{trainer.Optimizer.StateNames[b]}",
                        RawTensor.Float32(trainer.OptimizerState(b).Slice(offset, count), shape)));
            if (average is not null) tensors.Add(KeyValuePair.Create($"average.{i}", RawTensor.Float32(average.Values.Slice(offset, count), shape)));
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["model"] = network.Name,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
            ["steps"] = trainer.Steps.ToString(CultureInfo.InvariantCulture),
        };
        if (average is not null) metadata["average_updates"] = average.Updates.ToString(CultureInfo.InvariantCulture);
        // A stop inside an epoch: "epoch" is the last whole one, and this says how far into the next the state is.
        foreach (var (key, value) in position?.ToMetadata() ?? new Dictionary<string, string>()) metadata[key] = value;
        SafeTensorsFile.Write(path, tensors, metadata);
    }

    /// <summary>Restores a checkpoint into a fresh trainer and its optimizer; returns the epoch it ends.</summary>
    public static int Load(string path, RegisteredNetwork network, ITrainer trainer, WeightAverage? average = null)
    {
        var tensors = SafeTensorsFile.Read(path, out var metadata).ToDictionary(t => t.Key, t => t.Value);
        if (metadata.GetValueOrDefault("format") != Format)
            throw new InvalidDataException($"{path} is not a checkpoint of this trainer's generated engine.");
        if (metadata.GetValueOrDefault("model") != network.Name)
            throw new InvalidDataException($"{path} is a checkpoint of {metadata.GetValueOrDefault("model")}, not of {network.Name}.");
        if (!int.TryParse(metadata.GetValueOrDefault("epoch"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !long.TryParse(metadata.GetValueOrDefault("steps"), NumberStyles.None, CultureInfo.InvariantCulture, out var steps))
            throw new InvalidDataException($"{path} is damaged: it has no epoch or no step count.");

        EngineWeights.Load(network, trainer, Part(tensors, "model."), path);
        // The optimizer counts its steps too (SGD starts its momentum buffer at the first, Adam corrects its bias by
        // it); set before its state is read, since whether it has any depends on them.
        trainer.Steps = steps;
        trainer.Optimizer.Steps = steps;
        var optimizer = Part(tensors, "optimizer.");
        var parameters = EngineWeights.Parameters(network, trainer);
        for (var i = 0; i < parameters.Count; i++)
        {
            var (_, offset, count, _) = parameters[i];
            if (trainer.Optimizer.HasState)
                for (var b = 0; b < trainer.Optimizer.StateBuffers; b++)
                    Fitting(Required(optimizer, $"{i}.{trainer.Optimizer.StateNames[b]}", path), count, i, path).AsSpan()
                        .CopyTo(trainer.OptimizerState(b).Slice(offset, count));
            if (average is not null)
            {
                var values = tensors.TryGetValue($"average.{i}", out var a) ? a
                    : throw new InvalidDataException($"{path} has no weight average (average.{i}): it was not written by an --ema run.");
                Fitting(values, count, i, path, "the weight average").AsSpan().CopyTo(average.Values.Slice(offset, count));
            }
        }
        if (average is not null)
            average.Updates = long.TryParse(metadata.GetValueOrDefault("average_updates"), NumberStyles.None, CultureInfo.InvariantCulture,
                out var updates) ? updates
                : throw new InvalidDataException($"{path} is damaged: it has a weight average but no update count.");
        return epoch;
    }

    private static KeyValuePair<string, RawTensor> Entry(string key, RawTensor tensor) => KeyValuePair.Create("optimizer." + key, tensor);

    private static Dictionary<string, RawTensor> Part(Dictionary<string, RawTensor> tensors, string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, System.StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);

    private static RawTensor Required(Dictionary<string, RawTensor> tensors, string key, string path) =>
        tensors.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"{path} is damaged or of another optimizer: it has no optimizer.{key}.");

    private static float[] Fitting(RawTensor tensor, int count, int index, string path, string what = "the optimizer state") =>
        tensor.Dtype == "F32" && tensor.Shape.Aggregate(1L, (a, b) => a * b) == count ? tensor.AsFloat32()
            : throw new InvalidDataException($"{path}: {what} of parameter {index} is {tensor.Describe()}, not {count} float32 values.");
}
