namespace Mnist.Dsl.FSharpCheck;

/// <summary>
/// A type of a compiled assembly that carries [Network]: its name, the names of the types it is nested in (F#
/// modules compile to classes), the [Network] attribute and its layer attributes in metadata order.
/// </summary>
public sealed record CompiledNetwork(string Namespace, IReadOnlyList<string> EnclosingTypes, string Name, CompiledAttribute Network,
    IReadOnlyList<CompiledAttribute> Layers);
