namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// What one layer is in every generated artefact (a row of <see cref="Emitting.LayerKindTable"/>): the module that
/// implements it (with the sizes the algebra inferred), its
/// torch.nn.functional call in forward (null for layers with state, which are never functional), its construction
/// in the static Definition, and how the inference class's documentation describes it. Its member name and state-dict
/// keys are Mnist.Dsl's <see cref="Analysis.ModuleLayout"/>.
/// </summary>
public sealed record LayerCode(
    string Module,
    string? Functional,
    string Definition,
    string Description);
