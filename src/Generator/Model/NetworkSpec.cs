using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// One [Network] class as declared, as plain equatable values (no symbols, no syntax), so the pipeline step after
/// the parser is skipped when an edit leaves them unchanged. What the declaration means (budget, shapes, names)
/// is the <see cref="NetworkPlan"/>'s, computed from this once.
/// </summary>
/// <remarks>
/// DeclaredParameterBudget is the attribute's (0: the project's, resolved into the plan); FilePath is the file of the
/// [Network] attribute, whose .editorconfig section can set the budget. Accessibility is the class's declared one
/// ("public", "internal", ...), which its inference class shares; InferenceNameTaken is true when the compilation
/// already has a type named like that inference class (&lt;Name&gt;Inference), which is then not emitted rather than
/// collide with it; NameableInAssembly is false for a network nested as private or protected, which the generated
/// registry cannot name. DeclaredName and Description are [Network]'s Name and Description, null when left out.
/// </remarks>
public sealed record NetworkSpec(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    TypeDeclarationSpec Type,
    int Channels,
    int Height,
    int Width,
    int Classes,
    int DeclaredParameterBudget,
    RequiredLayers Requires,
    EquatableArray<Layer> Layers,
    string Accessibility = "internal",
    bool InferenceNameTaken = false,
    string FilePath = "",
    bool NameableInAssembly = true,
    string? DeclaredName = null,
    string? Description = null,
    bool HasOwnSummary = false)
{
    /// <summary>The name the registry lists it under: [Network(Name = ...)], else the class's name.</summary>
    public string RegistryName => string.IsNullOrEmpty(DeclaredName) ? Type.Name : DeclaredName!;

    /// <summary>
    /// The hint name of the generated file: unique per type, stable across builds. Nested types join with '+', as
    /// in metadata names, so that class Outer { class Net } and namespace Outer { class Net } cannot collide.
    /// </summary>
    public string HintName => Prefix + Type.Name + ".g.cs";

    /// <summary>The inference class's name: the network's, with Inference after it.</summary>
    public string InferenceName => Type.Name + "Inference";

    /// <summary>The hint name of the inference class's file, next to the network's (names as in <see cref="HintName"/>).</summary>
    public string InferenceHintName => Prefix + InferenceName + ".g.cs";

    /// <summary>The network's name with its namespace and the types around it, dot-separated: Nets.Outer.Net.</summary>
    public string FullName =>
        (Namespace is null ? "" : Namespace + ".") + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + ".")) + Type.Name;

    private string Prefix =>
        (Namespace is null ? "" : Namespace + ".") + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + "+"));
}

/// <summary>A type declaration to reopen as partial: its keyword (class, record, ...) and name.</summary>
public sealed record TypeDeclarationSpec(string Keyword, string Name);
