using TorchSharp.Modules;

namespace Mnist.Dsl.Torch;

/// <summary>
/// The per-parameter state of TorchSharp's SGD and Adam as named tensors ("{index}.momentum_buffer",
/// "{index}.step", "{index}.exp_avg", "{index}.exp_avg_sq"; index = the parameter's place in the optimizer),
/// so it fits in the checkpoint's safetensors file. TorchSharp's own <c>save_state_dict</c> writes a binary
/// format of its own; this keeps the checkpoint one file that PyTorch tools can open.
/// The hyper-parameters (learning rate, momentum or beta1) are not stored: the schedule sets them on resume.
/// </summary>
internal static class OptimizerState
{
    /// <summary>The state tensors (not copies: save them before the next step). SGD before its first step has none.</summary>
    public static Dictionary<string, torch.Tensor> Tensors(OptimizerHelper optimizer)
    {
        var tensors = new Dictionary<string, torch.Tensor>();
        var states = optimizer.state_dict().State;
        for (var i = 0; i < states.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State { momentum_buffer: { } buffer }:
                    tensors[$"{i}.momentum_buffer"] = buffer;
                    break;
                case Adam.State adam:
                    // Adam counts steps in a long; a [1] int64 tensor carries it (PyTorch keeps a float scalar tensor).
                    tensors[$"{i}.step"] = torch.tensor(new[] { adam.step }, new long[] { 1 });
                    tensors[$"{i}.exp_avg"] = adam.exp_avg;
                    tensors[$"{i}.exp_avg_sq"] = adam.exp_avg_sq;
                    break;
            }
        }
        return tensors;
    }

    /// <summary>Restores what <see cref="Tensors"/> returned into an optimizer over the same parameters; the tensors are copied.</summary>
    public static void Load(OptimizerHelper optimizer, IReadOnlyDictionary<string, torch.Tensor> tensors, string path)
    {
        var states = optimizer.state_dict().State;
        var parameters = System.Linq.Enumerable.ToArray(optimizer.parameters()); // state_dict's order: group by group, parameter by parameter
        using var noGrad = torch.no_grad();
        for (var i = 0; i < states.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State sgd:
                    // No buffer in the file: the parameter never had a step, and SGD starts its buffer at the first.
                    if (tensors.TryGetValue($"{i}.momentum_buffer", out var buffer))
                    {
                        var copy = Fitting(buffer, parameters[i], i, path).clone().DetachFromDisposeScope();
                        sgd.momentum_buffer?.Dispose();
                        sgd.momentum_buffer = copy;
                    }
                    break;
                case Adam.State adam:
                    adam.step = Required(tensors, $"{i}.step", path).item<long>();
                    adam.exp_avg.copy_(Fitting(Required(tensors, $"{i}.exp_avg", path), parameters[i], i, path));
                    adam.exp_avg_sq.copy_(Fitting(Required(tensors, $"{i}.exp_avg_sq", path), parameters[i], i, path));
                    break;
                default:
                    throw new InvalidDataException($"{path}: this trainer cannot restore the state of {states[i].GetType().Name}.");
            }
        }
    }

    private static torch.Tensor Required(IReadOnlyDictionary<string, torch.Tensor> tensors, string key, string path) =>
        tensors.TryGetValue(key, out var value) ? value
            : throw new InvalidDataException($"{path} is damaged or of another optimizer: it has no optimizer.{key}.");

    /// <summary>
    /// Every state tensor has its parameter's shape and dtype. copy_ would broadcast or convert silently; a state
    /// of another shape or dtype means another model or optimizer.
    /// </summary>
    private static torch.Tensor Fitting(torch.Tensor value, torch.Tensor like, int index, string path)
    {
        if (!System.Linq.Enumerable.SequenceEqual(value.shape, like.shape) || value.dtype != like.dtype)
            throw new InvalidDataException(
                $"{path}: the optimizer state of parameter {index} is [{string.Join(", ", value.shape)}] {value.dtype}, " +
                $"not [{string.Join(", ", like.shape)}] {like.dtype}.");
        return value;
    }
}
