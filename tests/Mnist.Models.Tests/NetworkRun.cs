using System.Collections.Generic;
using System.Linq;

namespace Mnist.Models.Tests;

/// <summary>
/// What one side (ours or PyTorch) computed for one network from the same weights and images: the eval-mode
/// logits, then one training step with dropout off: its output, loss, every parameter's gradient (by state-dict
/// key) and every buffer afterwards (BatchNorm running_mean, running_var, num_batches_tracked); and the eval-mode
/// logits from the weights PyTorch had after an SGD step on those gradients (PyTorch's own, and ours from its
/// weights file loaded with LoadWeights; null until that file exists).
/// </summary>
internal sealed record NetworkRun(
    TensorValues Logits,
    TensorValues? SteppedLogits,
    TensorValues TrainOutput,
    TensorValues Loss,
    IReadOnlyDictionary<string, TensorValues> Gradients,
    IReadOnlyDictionary<string, TensorValues> BuffersAfterStep)
{
    /// <summary>
    /// Reads network <paramref name="name"/>'s results from model_parity.py's output (NAME/logits, NAME/output,
    /// NAME/loss, NAME/grad/KEY, NAME/after/KEY, NAME/stepped_logits); a missing one is named in the error.
    /// </summary>
    public static NetworkRun FromPyTorch(string name, IReadOnlyDictionary<string, TensorValues> output)
    {
        TensorValues One(string what) => output.TryGetValue($"{name}/{what}", out var v)
            ? v
            : throw new KeyNotFoundException($"model_parity.py returned no {name}/{what} (it returned: {string.Join(", ", output.Keys.Where(k => k.StartsWith(name + "/", System.StringComparison.Ordinal)))})");
        Dictionary<string, TensorValues> Group(string group) => output
            .Where(kv => kv.Key.StartsWith($"{name}/{group}/", System.StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[$"{name}/{group}/".Length..], kv => kv.Value);
        return new NetworkRun(One("logits"), One("stepped_logits"), One("output"), One("loss"), Group("grad"), Group("after"));
    }
}
