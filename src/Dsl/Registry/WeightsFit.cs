namespace Mnist.Dsl.Registry;

/// <summary>
/// Which known networks a weights file belongs to, from its tensors' names and shapes alone (no runtime, nothing
/// loaded): a network fits when the file holds exactly its state-dict tensors (<see cref="ModuleLayout"/>) with their
/// shapes. BatchNorm's batch counts may be left out, as inference needs none and some exporters drop them. Used when a
/// file does not fit the network it was given to: "these weights fit network 'small', not 'default'" says more than
/// the list of every missing tensor and wrong shape.
/// </summary>
public static class WeightsFit
{
    /// <summary>The file's tensors (name → shape) are exactly the state of <paramref name="network"/>.</summary>
    public static bool Fits(RegisteredNetwork network, IReadOnlyDictionary<string, IReadOnlyList<long>> tensors)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (tensors is null) throw new ArgumentNullException(nameof(tensors));
        var state = ModuleLayout.Of(network.Summary).State;
        var expected = state.ToDictionary(t => t.Key, StringComparer.Ordinal);
        foreach (var tensor in state)
        {
            if (!tensors.TryGetValue(tensor.Key, out var shape)) { if (tensor.IsCount) continue; return false; }
            if (!shape.SequenceEqual(tensor.Shape)) return false;
        }
        return tensors.Keys.All(expected.ContainsKey);
    }

    /// <summary>The networks among <paramref name="networks"/> the tensors fit, in the order given, each once.</summary>
    public static IReadOnlyList<RegisteredNetwork> Fitting(IReadOnlyDictionary<string, IReadOnlyList<long>> tensors,
        IEnumerable<RegisteredNetwork> networks) =>
        (networks ?? throw new ArgumentNullException(nameof(networks))).Distinct().Where(n => Fits(n, tensors)).ToArray();

    /// <summary>
    /// When the tensors do not fit <paramref name="wanted"/> but fit other networks of <paramref name="known"/>: the
    /// one-line message that names them ("{source}: these weights fit network 'small', not 'default'; ..."). Null when
    /// they fit <paramref name="wanted"/> (a dtype is wrong, say: the caller's own message says that) or fit none (the
    /// caller's list of differences says more then).
    /// </summary>
    public static string? OtherNetworkMessage(string source, RegisteredNetwork wanted, IReadOnlyDictionary<string, IReadOnlyList<long>> tensors,
        IEnumerable<RegisteredNetwork> known)
    {
        if (wanted is null) throw new ArgumentNullException(nameof(wanted));
        if (Fits(wanted, tensors)) return null;
        var others = Fitting(tensors, known).Where(n => !ReferenceEquals(n, wanted)).ToArray();
        if (others.Length == 0) return null;
        var names = string.Join(" or ", others.Select(n => "'" + n.Name + "'"));
        return string.Format(CultureInfo.InvariantCulture,
            "{0}: these weights fit network{1} {2}, not '{3}'. Use them with {4}, or give a weights file of '{3}'.",
            source, others.Length == 1 ? "" : "s", names, wanted.Name, others.Length == 1 ? names : "one of those");
    }
}
