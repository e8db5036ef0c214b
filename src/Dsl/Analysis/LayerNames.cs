namespace Mnist.Dsl.Analysis;

/// <summary>
/// The layer attributes' names: a LayerKind's name plus "Attribute", as NetworkAttributeReader reads them for C#; for the
/// readers of compiled attributes (the F# build check from metadata, the trainer's discovery by reflection).
/// </summary>
public static class LayerNames
{
    public static bool IsLayerAttribute(string attributeTypeName) => TryKind(attributeTypeName, out _);

    public static bool TryKind(string attributeTypeName, out LayerKind kind)
    {
        kind = default;
        return attributeTypeName.EndsWith("Attribute", StringComparison.Ordinal)
            && Enum.TryParse(attributeTypeName.Substring(0, attributeTypeName.Length - "Attribute".Length), out kind)
            && Enum.IsDefined(typeof(LayerKind), kind);
    }
}
