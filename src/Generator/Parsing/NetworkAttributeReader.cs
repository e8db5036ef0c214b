using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Parsing;

/// <summary>The [Network] attribute's values as declared.</summary>
internal sealed record NetworkArguments(int Channels, int Height, int Width, int Classes, int ParameterBudget, RequiredLayers Requires, AttributeData Attribute);

/// <summary>One layer attribute: the layer it declares, and the attribute (for diagnostics' locations).</summary>
internal sealed record DeclaredLayer(Layer Layer, AttributeData Attribute);

/// <summary>
/// Reads the [Network] and layer attributes of a class into Mnist.Dsl values. Shared by the generator and
/// the analyzer (linked into both), so both see the same network. Never throws: an attribute the compiler
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
            named.TryGetValue("Classes", out var classes) ? Int(classes) : 10,
            named.TryGetValue("ParameterBudget", out var budget) ? Int(budget) : 0,
            named.TryGetValue("Requires", out var requires) ? (RequiredLayers)Int(requires) : RequiredLayers.All,
            attribute);
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

    private static Layer? ToLayer(AttributeData a)
    {
        var args = a.ConstructorArguments;
        var named = Named(a);
        int NamedInt(string name, int fallback) => named.TryGetValue(name, out var v) ? Int(v) : fallback;
        bool NamedBool(string name, bool fallback) => named.TryGetValue(name, out var v) && v.Value is bool b ? b : fallback;
        double NamedDouble(string name, double fallback) => named.TryGetValue(name, out var v) ? Double(v) : fallback;
        var functional = NamedBool("Functional", false);
        return a.AttributeClass!.Name switch
        {
            "Conv2dAttribute" when args.Length == 2 => new Conv2d(Int(args[0]), Int(args[1]), NamedInt("Stride", 1), NamedInt("Padding", 0), NamedBool("Bias", true), NamedInt("InChannels", 0)),
            "BatchNorm2dAttribute" => new BatchNorm2d(NamedDouble("Momentum", 0.1), NamedDouble("Eps", 1e-5)),
            "BatchNorm1dAttribute" => new BatchNorm1d(NamedDouble("Momentum", 0.1), NamedDouble("Eps", 1e-5)),
            "ReLUAttribute" => new ReLU(functional),
            "DropoutAttribute" when args.Length == 1 => new Dropout(Double(args[0]), functional),
            "Dropout2dAttribute" when args.Length == 1 => new Dropout2d(Double(args[0]), functional),
            "MaxPool2dAttribute" when args.Length == 1 => new MaxPool2d(Int(args[0]), NamedInt("Stride", 0), functional),
            "AvgPool2dAttribute" when args.Length == 1 => new AvgPool2d(Int(args[0]), NamedInt("Stride", 0), functional),
            "GlobalAvgPool2dAttribute" => new GlobalAvgPool2d(functional),
            "FlattenAttribute" => new Flatten(functional),
            "LinearAttribute" when args.Length == 1 => new Linear(Int(args[0]), NamedBool("Bias", true), NamedInt("InFeatures", 0)),
            "LogSoftmaxAttribute" => new LogSoftmax(functional),
            _ => null,
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
