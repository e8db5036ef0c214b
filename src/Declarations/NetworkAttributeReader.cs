using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Declarations;

/// <summary>The [Network] attribute's values as declared.</summary>
internal sealed record NetworkArguments(int Channels, int Height, int Width, int Classes, int ParameterBudget, RequiredLayers Requires, AttributeData Attribute,
    string? RegistryName = null, string? Description = null);

/// <summary>One layer attribute: the layer it declares, and the attribute (for diagnostics' locations).</summary>
internal sealed record DeclaredLayer(Layer Layer, AttributeData Attribute);

/// <summary>
/// Reads the [Network] and layer attributes of a class into Mnist.Dsl values. Part of the shared declaration
/// source (Mnist.Dsl.Declarations.projitems), so the generator, the analyzer and the code fixes see the same network. Never throws: an attribute the compiler
/// could not bind (a compile error the user already sees) makes the whole read return null.
/// </summary>
internal static class NetworkAttributeReader
{
    public const string Namespace = "Mnist.Dsl";
    public const string NetworkAttributeName = Namespace + ".NetworkAttribute";

    public static NetworkArguments? ReadNetwork(INamedTypeSymbol type)
    {
        var attribute = type.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == NetworkAttributeName);
        if (attribute is null || HasErrors(attribute) || attribute.ConstructorArguments.Length != 3) return null;
        var args = attribute.ConstructorArguments;
        var named = Named(attribute);
        return new NetworkArguments(
            Int(args[0]), Int(args[1]), Int(args[2]),
            named.TryGetValue("Classes", out var classes) ? Int(classes) : Analysis.NetworkDefinition.DefaultClasses,
            named.TryGetValue("ParameterBudget", out var budget) ? Int(budget) : 0,
            named.TryGetValue("Requires", out var requires) ? (RequiredLayers)Int(requires) : RequiredLayers.All,
            attribute,
            named.TryGetValue("Name", out var name) ? name.Value as string : null,
            named.TryGetValue("Description", out var description) ? description.Value as string : null);
    }

    /// <summary>The layer attributes in source order (by file, then position), or null if one cannot be read.</summary>
    public static IReadOnlyList<DeclaredLayer>? ReadLayers(INamedTypeSymbol type)
    {
        var layers = new List<DeclaredLayer>();
        var ordered = type.GetAttributes()
            .Where(a => a.AttributeClass is { } c && c.ContainingNamespace?.ToDisplayString() == Namespace && c.Name != "NetworkAttribute" && IsLayerAttribute(c))
            .OrderBy(a => a.ApplicationSyntaxReference?.SyntaxTree.FilePath, System.StringComparer.Ordinal)
            .ThenBy(a => a.ApplicationSyntaxReference?.Span.Start ?? 0);
        foreach (var attribute in ordered)
        {
            if (HasErrors(attribute)) return null;
            var layer = ToLayer(attribute);
            if (layer is null) return null;
            layers.Add(new DeclaredLayer(layer, attribute));
        }
        return layers;
    }

    /// <summary>Every declaration of the type carries the partial modifier.</summary>
    public static bool IsPartial(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences.Length > 0 &&
        type.DeclaringSyntaxReferences.All(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax d
            && d.Modifiers.Any(m => m.ValueText == "partial"));

    /// <summary>
    /// Some declaration of the type carries the file modifier. Any one is enough: parts that disagree are the
    /// compiler's error, and the symbol's IsFileLocal then follows only one of them.
    /// </summary>
    public static bool IsFileLocal(INamedTypeSymbol type) =>
        type.IsFileLocal ||
        type.DeclaringSyntaxReferences.Any(r => r.GetSyntax() is Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax d
            && d.Modifiers.Any(m => m.ValueText == "file"));

    /// <summary>
    /// The parameter list of class Net(...), if it has one: the generated module needs its own parameterless
    /// constructor, which a primary constructor would collide with (CS0111, CS8862).
    /// </summary>
    public static Microsoft.CodeAnalysis.CSharp.Syntax.ParameterListSyntax? PrimaryConstructor(INamedTypeSymbol type) =>
        type.DeclaringSyntaxReferences
            .Select(r => (r.GetSyntax() as Microsoft.CodeAnalysis.CSharp.Syntax.TypeDeclarationSyntax)?.ParameterList)
            .FirstOrDefault(p => p is not null);

    private static bool IsLayerAttribute(INamedTypeSymbol type)
    {
        for (var t = type.BaseType; t is not null; t = t.BaseType)
            if (t.Name == "LayerAttribute" && t.ContainingNamespace?.ToDisplayString() == Namespace) return true;
        return false;
    }

    /// <summary>
    /// The layer an attribute declares, with <see cref="LayerDefaults"/> for the arguments it leaves out; null when its
    /// constructor arguments are not the attribute's (the compiler reports that). The attribute's name is the kind's
    /// name plus "Attribute", and the switch has no discard arm: a new kind does not compile until it is read here.
    /// </summary>
    private static Layer? ToLayer(AttributeData a)
    {
        var name = a.AttributeClass!.Name;
        if (!name.EndsWith("Attribute", StringComparison.Ordinal)
            || !Enum.TryParse<LayerKind>(name.Substring(0, name.Length - "Attribute".Length), out var kind)) return null;
        var args = a.ConstructorArguments;
        var named = Named(a);
        int NamedInt(string argument, int fallback) => named.TryGetValue(argument, out var v) ? Int(v) : fallback;
        bool NamedBool(string argument, bool fallback) => named.TryGetValue(argument, out var v) && v.Value is bool b ? b : fallback;
        double NamedDouble(string argument, double fallback) => named.TryGetValue(argument, out var v) ? Double(v) : fallback;
        var functional = NamedBool("Functional", LayerDefaults.Functional);
        return kind switch
        {
            LayerKind.Conv2d => args.Length != 2 ? null : new Conv2d(Int(args[0]), Int(args[1]), NamedInt("Stride", LayerDefaults.Stride),
                NamedInt("Padding", LayerDefaults.Padding), NamedBool("Bias", LayerDefaults.Bias), NamedInt("InChannels", LayerDefaults.InferredInput), NamedInt("Groups", LayerDefaults.Groups)),
            LayerKind.BatchNorm2d => new BatchNorm2d(NamedDouble("Momentum", LayerDefaults.BatchNormMomentum), NamedDouble("Eps", LayerDefaults.BatchNormEps)),
            LayerKind.BatchNorm1d => new BatchNorm1d(NamedDouble("Momentum", LayerDefaults.BatchNormMomentum), NamedDouble("Eps", LayerDefaults.BatchNormEps)),
            LayerKind.ReLU => new ReLU(functional),
            LayerKind.Dropout => args.Length != 1 ? null : new Dropout(Double(args[0]), functional),
            LayerKind.Dropout2d => args.Length != 1 ? null : new Dropout2d(Double(args[0]), functional),
            LayerKind.MaxPool2d => args.Length != 1 ? null : new MaxPool2d(Int(args[0]), NamedInt("Stride", LayerDefaults.PoolStride), functional),
            LayerKind.AvgPool2d => args.Length != 1 ? null : new AvgPool2d(Int(args[0]), NamedInt("Stride", LayerDefaults.PoolStride), functional),
            LayerKind.GlobalAvgPool2d => new GlobalAvgPool2d(functional),
            LayerKind.Flatten => new Flatten(functional),
            LayerKind.Linear => args.Length != 1 ? null : new Linear(Int(args[0]), NamedBool("Bias", LayerDefaults.Bias), NamedInt("InFeatures", LayerDefaults.InferredInput)),
            LayerKind.LogSoftmax => new LogSoftmax(functional),
        };
    }

    private static bool HasErrors(AttributeData a) =>
        a.AttributeClass is null or IErrorTypeSymbol
        || a.ConstructorArguments.Any(c => c.Kind == TypedConstantKind.Error)
        || a.NamedArguments.Any(n => n.Value.Kind == TypedConstantKind.Error);

    private static Dictionary<string, TypedConstant> Named(AttributeData a) =>
        a.NamedArguments.GroupBy(n => n.Key).ToDictionary(g => g.Key, g => g.Last().Value);

    private static int Int(TypedConstant c) => c.Value switch
    {
        int i => i,
        _ => 0,
    };

    private static double Double(TypedConstant c) => c.Value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => double.NaN,
    };
}
