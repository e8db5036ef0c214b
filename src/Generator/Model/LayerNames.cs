using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// The names a layer has in the generated module, which are the state-dict keys weights files depend on: fields
/// conv1, bn1, relu1, ... numbered per stem in declaration order (functional layers have none), and each field's
/// parameters and buffers (member.weight, ...). The stems and entries are the kinds' (<see cref="LayerCode"/>).
/// </summary>
internal static class LayerNames
{
    /// <summary>Field and state-dict names, index for index with the layers; null for functional layers.</summary>
    public static IReadOnlyList<string?> Members(IEnumerable<(bool IsFunctional, LayerCode Code)> layers)
    {
        var counters = new Dictionary<string, int>();
        return layers.Select(layer =>
        {
            if (layer.IsFunctional) return null;
            counters.TryGetValue(layer.Code.Stem, out var n);
            counters[layer.Code.Stem] = ++n;
            return layer.Code.Stem + n.ToString(CultureInfo.InvariantCulture);
        }).ToArray();
    }

    /// <summary>The state-dict keys of a layer registered as <paramref name="member"/>, in PyTorch's order; none for a functional layer.</summary>
    public static EquatableArray<string> StateKeys(LayerCode code, string? member) =>
        new(member is null ? Enumerable.Empty<string>() : code.StateEntries.Select(entry => member + "." + entry));
}
