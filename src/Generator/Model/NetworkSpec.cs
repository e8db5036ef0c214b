using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// Everything the emitter needs about one [Network] class, as plain equatable values (no symbols, no
/// syntax), so the pipeline step after the parser is skipped when an edit leaves them unchanged.
/// </summary>
/// <remarks>ParameterBudget is the declared one, or the default when the declaration leaves it to the project.</remarks>
public sealed record NetworkSpec(
    string? Namespace,
    EquatableArray<TypeDeclarationSpec> ContainingTypes,
    TypeDeclarationSpec Type,
    int Channels,
    int Height,
    int Width,
    int Classes,
    int ParameterBudget,
    RequiredLayers Requires,
    EquatableArray<Layer> Layers)
{
    public NetworkDefinition ToDefinition() =>
        new(Type.Name, Channels, Height, Width, Layers, Classes, ParameterBudget, Requires);

    /// <summary>
    /// The hint name of the generated file: unique per type, stable across builds. Nested types join with '+', as
    /// in metadata names, so that class Outer { class Net } and namespace Outer { class Net } cannot collide.
    /// </summary>
    public string HintName => (Namespace is null ? "" : Namespace + ".") + string.Concat(System.Linq.Enumerable.Select(ContainingTypes, t => t.Name + "+")) + Type.Name + ".g.cs";
}

/// <summary>A type declaration to reopen as partial: its keyword (class, record, ...) and name.</summary>
public sealed record TypeDeclarationSpec(string Keyword, string Name);
