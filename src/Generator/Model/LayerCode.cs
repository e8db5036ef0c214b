namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// What one layer is in every generated artefact (a row of <see cref="Emitting.LayerKindTable"/>): the stem of its
/// field name and its state-dict entries, the module that implements it (with the sizes the algebra inferred), its
/// torch.nn.functional call in forward (null for layers with state, which are never functional), its construction
/// in the static Definition, and how the inference class's documentation describes it.
/// </summary>
public sealed record LayerCode(
    string Stem,
    EquatableArray<string> StateEntries,
    string Module,
    string? Functional,
    string Definition,
    string Description);
