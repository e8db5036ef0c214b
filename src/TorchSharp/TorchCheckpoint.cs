using TorchSharp.Modules;

namespace Mnist.Dsl.Torch;

/// <summary>
/// What a run needs to continue exactly where it stopped, in one safetensors file written atomically: the
/// module's state dict ("model.*"), the optimizer's state ("optimizer.*", see <see cref="OptimizerState"/>), the
/// random generator's state ("rng", so that shuffling, dropout and augmentation draw what they would have) and,
/// as metadata, the epoch it ends. The learning-rate schedule is not stored: it is replayed from the epoch count
/// and metrics.csv.
/// </summary>
internal static class TorchCheckpoint
{
    private const string Format = "mnist-train-checkpoint/1";

    public static void Save(string path, string model, int epoch, torch.nn.Module<torch.Tensor, torch.Tensor> module, OptimizerHelper optimizer)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, torch.Tensor>();
        foreach (var (name, value) in module.state_dict()) tensors["model." + name] = value;
        foreach (var (name, value) in OptimizerState.Tensors(optimizer)) tensors["optimizer." + name] = value;
        tensors["rng"] = torch.get_rng_state();
        SafeTensors.Save(tensors, path, new Dictionary<string, string>
        {
            ["format"] = Format,
            ["model"] = model,
            ["epoch"] = epoch.ToString(CultureInfo.InvariantCulture),
        });
    }

    /// <summary>Loads a checkpoint into a fresh module and optimizer and restores the generator; returns the epoch it ends.</summary>
    public static int Load(string path, string model, torch.nn.Module<torch.Tensor, torch.Tensor> module, OptimizerHelper optimizer)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = SafeTensors.Load(path, out var metadata);
        if (!metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path} is not a checkpoint of this trainer.");
        if (metadata.GetValueOrDefault("model") != model)
            throw new InvalidDataException($"{path} is a checkpoint of {metadata.GetValueOrDefault("model")}, not of {model}.");
        if (!int.TryParse(metadata.GetValueOrDefault("epoch"), NumberStyles.None, CultureInfo.InvariantCulture, out var epoch)
            || !tensors.ContainsKey("rng"))
            throw new InvalidDataException($"{path} is damaged: it has no epoch or no generator state.");

        module.LoadWeights(Part(tensors, "model."), path);
        OptimizerState.Load(optimizer, Part(tensors, "optimizer."), path);
        torch.set_rng_state(tensors["rng"]);
        return epoch;
    }

    private static Dictionary<string, torch.Tensor> Part(Dictionary<string, torch.Tensor> tensors, string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, System.StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);
}
