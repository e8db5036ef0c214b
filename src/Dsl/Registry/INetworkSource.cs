namespace Mnist.Dsl.Registry;

/// <summary>Implemented by the generated list of one assembly's networks (see <see cref="NetworkRegistryAttribute"/>).</summary>
public interface INetworkSource
{
    /// <summary>Every [Network] class of the assembly that code outside it can name, each once, ordered by full name.</summary>
    IReadOnlyList<RegisteredNetwork> Networks { get; }
}
