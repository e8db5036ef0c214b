namespace Mnist.Dsl.Registry;

/// <summary>
/// Put on an assembly by the generator: the type that lists the assembly's [Network] classes (an
/// <see cref="INetworkSource"/>). <see cref="NetworkRegistry.Of(System.Reflection.Assembly)"/> reads it, so listing
/// the networks of an assembly costs one attribute lookup, not a scan of its types.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = false, Inherited = false)]
public sealed class NetworkRegistryAttribute : Attribute
{
    public NetworkRegistryAttribute(Type source) => Source = source;

    /// <summary>The generated type that implements <see cref="INetworkSource"/>.</summary>
    public Type Source { get; }
}
