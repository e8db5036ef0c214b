using System.Threading;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Declarations;

namespace Mnist.Dsl.Generator.Parsing;

/// <summary>
/// Turns a [Network] class into a <see cref="NetworkSpec"/>, or null when the generator cannot build it (a
/// declaration <see cref="DeclarationRules"/> rejects, no layers, an attribute the compiler cannot bind): the
/// analyzer reports why, the generator emits nothing rather than code that would add errors of its own.
/// </summary>
internal static class NetworkParser
{
    public static NetworkSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || DeclarationRules.Check(type).Problem != DeclarationProblem.None) return null;
        // Two declarations of one name that the compiler could not merge (CS0101, CS0261) are two types with one
        // hint name; the compiler's error says what is wrong, and emitting both would fail the generator (CS8785).
        if (!SymbolEqualityComparer.Default.Equals(context.SemanticModel.Compilation.GetTypeByMetadataName(MetadataName(type)), type)) return null;
        cancellationToken.ThrowIfCancellationRequested();
        var network = NetworkAttributeReader.ReadNetwork(type);
        var layers = NetworkAttributeReader.ReadLayers(type);
        if (network is null || layers is null || layers.Count == 0) return null;
        // [Network] on two partial declarations (CS0579) makes this run once per declaration; emit for the one
        // whose attribute is read, or both would add the same hint name and the generator would fail (CS8785).
        if (network.Attribute.ApplicationSyntaxReference is not { } applied
            || applied.SyntaxTree != context.TargetNode.SyntaxTree || !context.TargetNode.Span.Contains(applied.Span)) return null;

        // Whether the shapes work is the plan's question (NetworkPlan.Create), asked once the budget is known.
        return new NetworkSpec(
            type.ContainingNamespace.IsGlobalNamespace ? null : NamespaceName(type.ContainingNamespace),
            new EquatableArray<TypeDeclarationSpec>(ContainingTypes(type)),
            Declaration(type),
            network.Channels, network.Height, network.Width, network.Classes,
            network.ParameterBudget, network.Requires,
            new EquatableArray<Layers.Layer>(layers.Select(l => l.Layer)),
            AccessibilityKeywords(type.DeclaredAccessibility),
            // The generator's own outputs are not in this compilation, so a type found here is the user's.
            context.SemanticModel.Compilation.GetTypeByMetadataName(MetadataName(type) + "Inference") is not null,
            applied.SyntaxTree.FilePath,
            DeclarationRules.IsNameableInItsAssembly(type),
            network.RegistryName,
            network.Description,
            // The generator's part is not in this compilation yet: a <summary> here is the user's (for the doc comment's layout).
            type.GetDocumentationCommentXml(cancellationToken: cancellationToken)?.Contains("<summary") == true);
    }

    /// <summary>The namespace's names without the @ that ToDisplayString puts before keywords: they go into the hint
    /// name, where @ is invalid.</summary>
    private static string NamespaceName(INamespaceSymbol ns) =>
        ns.ContainingNamespace is { IsGlobalNamespace: false } parent ? NamespaceName(parent) + "." + ns.Name : ns.Name;

    private static string MetadataName(INamedTypeSymbol type) =>
        type.ContainingType is { } outer ? MetadataName(outer) + "+" + type.MetadataName
        : type.ContainingNamespace.IsGlobalNamespace ? type.MetadataName
        : NamespaceName(type.ContainingNamespace) + "." + type.MetadataName;

    private static IEnumerable<TypeDeclarationSpec> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<TypeDeclarationSpec>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType) chain.Insert(0, Declaration(t));
        return chain;
    }

    /// <summary>The C# keywords of a declared accessibility; "internal" for a top-level class declared without one.</summary>
    private static string AccessibilityKeywords(Accessibility accessibility) => accessibility switch
    {
        Accessibility.Public => "public",
        Accessibility.Protected => "protected",
        Accessibility.ProtectedOrInternal => "protected internal",
        Accessibility.ProtectedAndInternal => "private protected",
        Accessibility.Private => "private",
        _ => "internal",
    };

    private static TypeDeclarationSpec Declaration(INamedTypeSymbol type) =>
        new((type.IsRecord ? "record " : "")
            + (type.TypeKind == TypeKind.Struct ? "struct" : type.TypeKind == TypeKind.Interface ? "interface" : "class"), type.Name);
}
