namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// A layer a fix adds: its value, for checking the fixed network with the layer algebra, and how its attribute
/// is written: the attribute's name without the Attribute suffix ("Linear") and its argument list ("(10)", or "").
/// </summary>
internal sealed record NewLayer(Layer Layer, string Name, string Arguments = "")
{
    public string MetadataName => NetworkNamespace + "." + Name + "Attribute";

    public const string NetworkNamespace = "Mnist.Dsl";
}
