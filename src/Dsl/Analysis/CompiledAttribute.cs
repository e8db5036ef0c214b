namespace Mnist.Dsl.Analysis;

/// <summary>One attribute as the compiler wrote it: its type's simple name and its decoded arguments (enums as their int values).</summary>
public sealed record CompiledAttribute(string Name, IReadOnlyList<object?> Positional, IReadOnlyDictionary<string, object?> Named);
