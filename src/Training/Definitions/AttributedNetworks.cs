using System.Reflection;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Training.Definitions;

/// <summary>
/// The [Network] types of an assembly the C# generator did not register (an F# assembly: F# has no source
/// generators), found by reflection and registered as <see cref="DefinedNetwork"/>s: so an F# project's attributed
/// classes list, train on the engine and evaluate like the C# ones. Layers come in metadata order, which is source
/// order for F# (FSharpAttributeOrderTests), read with the mapping the F# build check uses (CompiledNetworkDefinition), under
/// the budgets the package's build resolved and kept in the assembly's metadata (ParameterBudgetMetadata), which the
/// build check applied too.
/// </summary>
public static class AttributedNetworks
{
    /// <summary>
    /// The attributed networks of <paramref name="assembly"/> in metadata order, named by [Network(Name = ...)] else by
    /// the class name; none for an assembly with a generated registry (its networks are NetworkRegistry.Of's).
    /// </summary>
    public static IReadOnlyList<RegisteredNetwork> Of(Assembly assembly)
    {
        if (assembly is null) throw new ArgumentNullException(nameof(assembly));
        if (assembly.GetCustomAttribute<NetworkRegistryAttribute>() is not null) return [];
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>();
        string? Metadata(string key) => metadata.LastOrDefault(m => m.Key == key)?.Value;
        var networks = new List<RegisteredNetwork>();
        foreach (var type in assembly.GetTypes())
        {
            CompiledAttribute? network = null;
            var layers = new List<CompiledAttribute>();
            foreach (var data in CustomAttributeData.GetCustomAttributes(type))
            {
                if (data.AttributeType.Namespace != typeof(NetworkAttribute).Namespace) continue;
                var name = data.AttributeType.Name;
                if (name == nameof(NetworkAttribute)) network = Compiled(data);
                else if (LayerNames.IsLayerAttribute(name)) layers.Add(Compiled(data));
            }
            if (network is null) continue;
            var definition = CompiledNetworkDefinition.From(type.Name, network, layers, ParameterBudgetMetadata.Undeclared(type.Name, Metadata))
                ?? throw new InvalidOperationException(
                    $"{type.FullName}'s [Network] or layer attributes have arguments the DSL does not take; " +
                    $"build the project with the Mnist.Dsl package, whose check names the attribute at fault.");
            networks.Add(DefinedNetwork.Register(definition, Named(network, nameof(NetworkAttribute.Name)) ?? type.Name,
                Named(network, nameof(NetworkAttribute.Description)) ?? ""));
        }
        return networks;
    }

    private static CompiledAttribute Compiled(CustomAttributeData data) => new(data.AttributeType.Name,
        data.ConstructorArguments.Select(a => a.Value).ToArray(),
        (data.NamedArguments ?? []).GroupBy(a => a.MemberName).ToDictionary(g => g.Key, g => g.Last().TypedValue.Value));

    private static string? Named(CompiledAttribute attribute, string name) =>
        attribute.Named.TryGetValue(name, out var value) && value is string text && text.Length > 0 ? text : null;
}
