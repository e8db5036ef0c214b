using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Mnist.Dsl.FSharpCheck;

/// <summary>
/// Reads the networks of a compiled assembly from its metadata, without loading it (it is the build's output: the
/// build must neither lock it nor run its code). Attributes come in the order of the CustomAttribute table, which
/// is the order the compiler emitted them for each type; FSharpAttributeOrderTests checks that the F# compiler
/// emits them in source order.
/// </summary>
public static class CompiledNetworkReader
{
    public static IReadOnlyList<CompiledNetwork> Read(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var networks = new List<CompiledNetwork>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            CompiledAttribute? network = null;
            var layers = new List<CompiledAttribute>();
            foreach (var attributeHandle in type.GetCustomAttributes())
            {
                var attribute = md.GetCustomAttribute(attributeHandle);
                var (ns, name) = AttributeType(md, attribute);
                // The DSL's namespace and [Network]'s name from the type itself, which this assembly references.
                if (ns != typeof(NetworkAttribute).Namespace || !name.EndsWith("Attribute", StringComparison.Ordinal)) continue;
                var value = attribute.DecodeValue(AttributeTypeProvider.Instance);
                var compiled = new CompiledAttribute(name,
                    value.FixedArguments.Select(a => a.Value).ToArray(),
                    value.NamedArguments.GroupBy(a => a.Name!).ToDictionary(g => g.Key, g => g.Last().Value));
                if (name == nameof(NetworkAttribute)) network = compiled;
                else if (LayerNames.IsLayerAttribute(name)) layers.Add(compiled);
            }
            if (network is null) continue;
            var enclosing = new List<string>();
            for (var outer = type.GetDeclaringType(); !outer.IsNil; outer = md.GetTypeDefinition(outer).GetDeclaringType())
                enclosing.Insert(0, md.GetString(md.GetTypeDefinition(outer).Name));
            var top = type;
            while (!top.GetDeclaringType().IsNil) top = md.GetTypeDefinition(top.GetDeclaringType());
            networks.Add(new CompiledNetwork(md.GetString(top.Namespace), enclosing, md.GetString(type.Name), network, layers));
        }
        return networks;
    }

    /// <summary>The assembly's [assembly: AssemblyMetadata(key, value)] entries, the last of each key winning (as the
    /// trainer reads them by reflection).</summary>
    public static IReadOnlyDictionary<string, string?> ReadMetadata(string assemblyPath)
    {
        using var stream = File.OpenRead(assemblyPath);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var metadata = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var handle in md.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = md.GetCustomAttribute(handle);
            if (AttributeType(md, attribute) != ("System.Reflection", "AssemblyMetadataAttribute")) continue;
            var value = attribute.DecodeValue(AttributeTypeProvider.Instance);
            if (value.FixedArguments.Length == 2 && value.FixedArguments[0].Value is string key)
                metadata[key] = value.FixedArguments[1].Value as string;
        }
        return metadata;
    }

    private static (string Namespace, string Name) AttributeType(MetadataReader md, CustomAttribute attribute)
    {
        EntityHandle parent = attribute.Constructor.Kind switch
        {
            HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
            HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
            _ => default,
        };
        return parent.Kind switch
        {
            HandleKind.TypeReference =>
                (md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Namespace),
                    md.GetString(md.GetTypeReference((TypeReferenceHandle)parent).Name)),
            HandleKind.TypeDefinition =>
                (md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)parent).Namespace),
                    md.GetString(md.GetTypeDefinition((TypeDefinitionHandle)parent).Name)),
            _ => ("", ""),
        };
    }

    /// <summary>
    /// Attribute argument types as names. The DSL's attributes take ints, doubles, bools, strings and one enum
    /// (RequiredLayers), whose underlying type is int.
    /// </summary>
    private sealed class AttributeTypeProvider : ICustomAttributeTypeProvider<string>
    {
        public static readonly AttributeTypeProvider Instance = new();

        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSystemType() => "System.Type";
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) =>
            reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSerializedName(string name) => name;
        public PrimitiveTypeCode GetUnderlyingEnumType(string type) => PrimitiveTypeCode.Int32;
        public bool IsSystemType(string type) => type == "System.Type";
    }
}
