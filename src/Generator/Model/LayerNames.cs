using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// The names a layer has in the generated module, which are the state-dict keys weights files depend on: fields
/// conv1, bn1, relu1, ... numbered per stem in declaration order (functional layers have none), and each field's
/// parameters and buffers. One switch per question, each exhaustive over <see cref="LayerKind"/>.
/// </summary>
internal static class LayerNames
{
    /// <summary>Field and state-dict names, index for index with <paramref name="layers"/>; null for functional layers.</summary>
    public static IReadOnlyList<string?> Members(IReadOnlyList<Layer> layers)
    {
        var counters = new Dictionary<string, int>();
        return layers.Select(layer =>
        {
            if (layer.IsFunctional) return null;
            var stem = Stem(layer.Kind);
            counters.TryGetValue(stem, out var n);
            counters[stem] = ++n;
            return stem + n.ToString(CultureInfo.InvariantCulture);
        }).ToArray();
    }

    /// <summary>The stem of a kind's field names. BatchNorm2d and BatchNorm1d share "bn", Dropout and Dropout2d "dropout".</summary>
    public static string Stem(LayerKind kind) => kind switch
    {
        LayerKind.Conv2d => "conv",
        LayerKind.BatchNorm2d or LayerKind.BatchNorm1d => "bn",
        LayerKind.ReLU => "relu",
        LayerKind.Dropout or LayerKind.Dropout2d => "dropout",
        LayerKind.MaxPool2d => "maxpool",
        LayerKind.AvgPool2d => "avgpool",
        LayerKind.GlobalAvgPool2d => "gap",
        LayerKind.Flatten => "flatten",
        LayerKind.Linear => "fc",
        LayerKind.LogSoftmax => "log_softmax",
    };

    /// <summary>The state-dict keys of a layer registered as <paramref name="member"/>, in PyTorch's order; none for a functional layer.</summary>
    public static IEnumerable<string> StateKeys(Layer layer, string? member) =>
        member is null ? Enumerable.Empty<string>() : StateEntries(layer).Select(entry => member + "." + entry);

    private static string[] StateEntries(Layer layer) => layer.Kind switch
    {
        LayerKind.Conv2d => ((Conv2d)layer).Bias ? new[] { "weight", "bias" } : new[] { "weight" },
        LayerKind.Linear => ((Linear)layer).Bias ? new[] { "weight", "bias" } : new[] { "weight" },
        LayerKind.BatchNorm2d or LayerKind.BatchNorm1d => new[] { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" },
        LayerKind.ReLU or LayerKind.Dropout or LayerKind.Dropout2d or LayerKind.MaxPool2d or LayerKind.AvgPool2d
            or LayerKind.GlobalAvgPool2d or LayerKind.Flatten or LayerKind.LogSoftmax => System.Array.Empty<string>(),
    };
}
