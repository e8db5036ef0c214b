namespace Mnist.Dsl.Torch;

/// <summary>
/// A module's weights as a safetensors file: its state dict under the module's own keys (conv1.weight,
/// bn1.running_mean, ...), the layout PyTorch's <c>safetensors.torch.save_file(model.state_dict())</c> writes.
/// <para>
/// Loading checks names, shapes and dtypes before it copies anything. TorchSharp's own
/// <c>load_state_dict</c> only says "not identical" for a missing or extra key, and copies with
/// <c>copy_</c>, which broadcasts a [1] tensor into a [10] one and converts float64 to float32 silently.
/// </para>
/// </summary>
public static class ModuleWeights
{
    /// <summary>Writes the module's state dict as a safetensors file, atomically.</summary>
    public static void SaveWeights(this torch.nn.Module module, string path, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafeTensors.Save(module.state_dict(), path, metadata);

    /// <summary>
    /// Loads a safetensors file written by <see cref="SaveWeights"/> or by PyTorch. A file that does not fit
    /// throws <see cref="InvalidDataException"/> naming the file and listing every difference.
    /// </summary>
    public static void LoadWeights(this torch.nn.Module module, string path)
    {
        using var scope = torch.NewDisposeScope();
        module.LoadWeights(SafeTensors.Load(path), path);
    }

    /// <summary>
    /// Loads a safetensors file into <paramref name="module"/>, a new module of <paramref name="network"/>. A file that
    /// does not fit it but fits other networks of <paramref name="known"/> (the trainer's registry) throws
    /// <see cref="InvalidDataException"/> naming them ("these weights fit network 'small', not 'default'"); a file
    /// that fits none lists every difference, as <see cref="LoadWeights(torch.nn.Module, string)"/> does.
    /// </summary>
    public static void LoadWeights(this torch.nn.Module module, string path, RegisteredNetwork network, IEnumerable<RegisteredNetwork> known)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = SafeTensors.Load(path);
        if (Differences(module, tensors).Count > 0
            && WeightsFit.OtherNetworkMessage(path, network, tensors.ToDictionary(t => t.Key, t => (IReadOnlyList<long>)t.Value.shape),
                known) is { } message)
            throw new InvalidDataException(message);
        module.LoadWeights(tensors, path);
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into the module's state dict, without gradients, after checking names, shapes
    /// and dtypes; tensors that do not fit throw <see cref="InvalidDataException"/> naming <paramref name="source"/> and
    /// listing every difference, before anything is copied.
    /// </summary>
    public static void LoadWeights(this torch.nn.Module module, IReadOnlyDictionary<string, torch.Tensor> tensors, string source)
    {
        var problems = Differences(module, tensors);
        if (problems.Count > 0)
            throw new InvalidDataException(
                $"{source} does not hold weights for this {module.GetName()} ({problems.Count} difference{(problems.Count == 1 ? "" : "s")}):\n  "
                + string.Join("\n  ", problems));
        using var noGrad = torch.no_grad();
        foreach (var (key, target) in module.state_dict())
            if (tensors.TryGetValue(key, out var value)) target.copy_(value);
    }

    /// <summary>What keeps the tensors from being this module's state dict: missing and extra keys, other shapes and dtypes.</summary>
    private static List<string> Differences(torch.nn.Module module, IReadOnlyDictionary<string, torch.Tensor> tensors)
    {
        var own = module.state_dict();
        var problems = new List<string>();
        problems.AddRange(own.Keys.Where(k => !tensors.ContainsKey(k)).Select(k => $"missing: {k} (expected [{Shape(own[k])}] {own[k].dtype})"));
        problems.AddRange(tensors.Keys.Where(k => !own.ContainsKey(k)).Select(k => $"unexpected: {k} [{Shape(tensors[k])}] {tensors[k].dtype}"));
        foreach (var (key, target) in own)
        {
            if (!tensors.TryGetValue(key, out var value)) continue;
            if (!target.shape.SequenceEqual(value.shape))
                problems.Add($"shape: {key} is [{Shape(value)}] but this model's is [{Shape(target)}]");
            else if (target.dtype != value.dtype)
                problems.Add($"dtype: {key} is {value.dtype} but this model's is {target.dtype}");
        }
        return problems;
    }

    private static string Shape(torch.Tensor t) => string.Join(", ", t.shape);
}
