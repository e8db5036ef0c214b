using System.Collections;
using System.Reflection;

namespace Mnist.Dsl.Registry;

/// <summary>
/// The [Network] classes of one or more assemblies, as their generated registries list them: for a library (a
/// trainer, a classifier) that runs the networks of the user's project without scanning its types.
/// <code>
/// var networks = NetworkRegistry.Of(typeof(Program).Assembly);
/// var module = networks.Find("Seed004Net").CreateModule&lt;torch.nn.Module&lt;Tensor, Tensor&gt;&gt;();
/// </code>
/// </summary>
public sealed class NetworkRegistry : IReadOnlyList<RegisteredNetwork>
{
    private readonly RegisteredNetwork[] _networks;

    private NetworkRegistry(IEnumerable<RegisteredNetwork> networks) => _networks = networks.ToArray();

    /// <summary>The networks of an assembly: none when the generator put no registry on it (no networks, or no Mnist.Dsl generator).</summary>
    public static NetworkRegistry Of(Assembly assembly)
    {
        if (assembly is null) throw new ArgumentNullException(nameof(assembly));
        var attribute = assembly.GetCustomAttribute<NetworkRegistryAttribute>();
        if (attribute is null) return new NetworkRegistry(Array.Empty<RegisteredNetwork>());
        var source = Activator.CreateInstance(attribute.Source, nonPublic: true) as INetworkSource
            ?? throw new InvalidOperationException(
                $"{assembly.GetName().Name}'s registry {attribute.Source.FullName} is not an {nameof(INetworkSource)}.");
        return new NetworkRegistry(source.Networks);
    }

    /// <summary>The networks of several assemblies, in the order given.</summary>
    public static NetworkRegistry Of(params Assembly[] assemblies) =>
        new((assemblies ?? throw new ArgumentNullException(nameof(assemblies))).SelectMany(a => Of(a)._networks));

    public int Count => _networks.Length;

    public RegisteredNetwork this[int index] => _networks[index];

    /// <summary>
    /// The network called <paramref name="name"/>, ignoring case: its full name (Nets.Net), or its registry name or
    /// class name when only one network has it. Throws, listing the candidates, when none or several match.
    /// </summary>
    public RegisteredNetwork Find(string name)
    {
        var matches = Matching(name, n => n.FullName);
        if (matches.Length == 0) matches = Matching(name, n => n.Name);
        if (matches.Length == 0) matches = Matching(name, n => n.Type.Name);
        return matches.Length switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"No network is called {name}; the registered ones are: {Names(_networks)}."),
            _ => throw new KeyNotFoundException($"Several networks are called {name}: {Names(matches)}; use a full name."),
        };
    }

    private RegisteredNetwork[] Matching(string name, Func<RegisteredNetwork, string> key) =>
        _networks.Where(n => string.Equals(key(n), name, StringComparison.OrdinalIgnoreCase)).ToArray();

    public IEnumerator<RegisteredNetwork> GetEnumerator() => ((IEnumerable<RegisteredNetwork>)_networks).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static string Names(IEnumerable<RegisteredNetwork> list)
    {
        var names = string.Join(", ", list.Select(n => n.FullName));
        return names.Length == 0 ? "(none)" : names;
    }
}
