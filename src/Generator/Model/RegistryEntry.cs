namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// One network as the generated registry lists it: its names (class, full, registry) and description, whether its
/// inference class was emitted (then the
/// registry can load it) and whether its trainer was (else, with the engine referenced, why not). Plain values, so the
/// registry is re-emitted only when the list itself changes.
/// </summary>
public sealed record RegistryEntry(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    string Name,
    string FullName,
    string? InferenceName,
    string RegistryName,
    string Description,
    bool HasTrainer = false,
    string? NoTrainerReason = null)
{
    /// <summary>The entry of a network the registry can name (see <see cref="NetworkSpec.NameableInAssembly"/>), else null.</summary>
    public static RegistryEntry? Of(NetworkPlan plan, bool inferenceSupported, bool trainerSupported = false)
    {
        var spec = plan.Spec;
        if (!spec.NameableInAssembly) return null;
        var hasInference = inferenceSupported && !spec.InferenceNameTaken && plan.Inference is not null;
        return new RegistryEntry(spec.Namespace, spec.ContainingTypes, spec.Type.Name, spec.FullName, hasInference ? spec.InferenceName : null,
            spec.RegistryName, spec.Description ?? "", trainerSupported && plan.Trainer.Unsupported is null,
            trainerSupported ? plan.Trainer.Unsupported : null);
    }
}

/// <summary>The compilation the registry is emitted into: its assembly's name, which names the registry's type.</summary>
public sealed record RegistryTarget(string AssemblyName);
