using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Generator.Model;

namespace Mnist.Dsl.Generator.Parsing;

/// <summary>
/// Turns a [Network] class into a <see cref="NetworkSpec"/>, or null when the generator cannot build it
/// (not partial, generic, no layers, shapes that do not work): the analyzer reports why, the generator
/// emits nothing rather than code that would add errors of its own.
/// </summary>
internal static class NetworkParser
{
    public static NetworkSpec? Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetSymbol is not INamedTypeSymbol type || !IsUsableDeclaration(type)) return null;
        cancellationToken.ThrowIfCancellationRequested();
        var network = NetworkAttributeReader.ReadNetwork(type);
        var layers = NetworkAttributeReader.ReadLayers(type);
        if (network is null || layers is null || layers.Count == 0) return null;

        var spec = new NetworkSpec(
            type.ContainingNamespace.IsGlobalNamespace ? null : type.ContainingNamespace.ToDisplayString(),
            new EquatableArray<TypeDeclarationSpec>(ContainingTypes(type)),
            Declaration(type),
            network.Channels, network.Height, network.Width, network.Classes,
            network.ParameterBudget > 0 ? network.ParameterBudget : NetworkDefinition.DefaultParameterBudget, network.Requires,
            new EquatableArray<Layers.Layer>(layers.Select(l => l.Layer)));
        return NetworkAnalysis.Analyze(spec.ToDefinition()).Summary is null ? null : spec;
    }

    /// <summary>A partial, non-generic class, and every type around it partial and non-generic too.</summary>
    internal static bool IsUsableDeclaration(INamedTypeSymbol type)
    {
        for (var t = type.ContainingType; t is not null; t = t.ContainingType)
            if (t.IsGenericType || !NetworkAttributeReader.IsPartial(t)) return false;
        return !type.IsGenericType && NetworkAttributeReader.IsPartial(type) && type.TypeKind == TypeKind.Class && !type.IsStatic && !type.IsAbstract;
    }


    private static IEnumerable<TypeDeclarationSpec> ContainingTypes(INamedTypeSymbol type)
    {
        var chain = new List<TypeDeclarationSpec>();
        for (var t = type.ContainingType; t is not null; t = t.ContainingType) chain.Insert(0, Declaration(t));
        return chain;
    }

    private static TypeDeclarationSpec Declaration(INamedTypeSymbol type) =>
        new((type.IsRecord ? "record " : "") + (type.TypeKind == TypeKind.Struct ? "struct" : type.TypeKind == TypeKind.Interface ? "interface" : "class"), type.Name);
}
