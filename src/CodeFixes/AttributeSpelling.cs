using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// How to write an added layer attribute so that it binds where it goes: the short name when the file imports
/// Mnist.Dsl ("BatchNorm2d"); else with the qualifier the declaration's own attributes use ("D.BatchNorm2d" under
/// <c>using D = Mnist.Dsl;</c>, "Mnist.Dsl.BatchNorm2d"); else fully qualified. Each candidate is bound
/// speculatively at the insertion point, so a type of the same name in scope is not picked by mistake.
/// </summary>
internal static class AttributeSpelling
{
    public static string Spell(NetworkDeclaration network, int position, NewLayer layer)
    {
        var qualifiers = network.Attributes
            .Concat(network.Syntax.AttributeLists.SelectMany(l => l.Attributes))
            .Select(a => Qualifier(a.Name))
            .Where(q => q is not null)
            .Select(q => q!)
            .Distinct();
        var candidates = new[] { "" }.Concat(qualifiers).Append("global::" + NewLayer.NetworkNamespace + ".");
        foreach (var qualifier in candidates)
        {
            var name = qualifier + layer.Name;
            if (Binds(network.Model, position, name, layer)) return name + layer.Arguments;
        }
        return "global::" + NewLayer.NetworkNamespace + "." + layer.Name + layer.Arguments;
    }

    private static string? Qualifier(NameSyntax name) => name switch
    {
        QualifiedNameSyntax qualified => qualified.Left.ToString() + ".",
        AliasQualifiedNameSyntax aliased => aliased.Alias.ToString() + "::",
        _ => null,
    };

    private static bool Binds(SemanticModel model, int position, string name, NewLayer layer)
    {
        var attribute = SyntaxFactory.Attribute(
            SyntaxFactory.ParseName(name),
            layer.Arguments.Length == 0 ? null : SyntaxFactory.ParseAttributeArgumentList(layer.Arguments));
        var symbol = model.GetSpeculativeSymbolInfo(position, attribute).Symbol;
        return symbol is IMethodSymbol { ContainingType: { } type }
            && type.ToDisplayString() == layer.MetadataName;
    }

    public static string SpellAll(NetworkDeclaration network, int position, IEnumerable<NewLayer> layers) =>
        string.Join(", ", layers.Select(l => Spell(network, position, l)));
}
