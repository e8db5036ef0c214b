using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;
using Mnist.Dsl.Analyzers;
using Mnist.Dsl.Declarations;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// The network a diagnostic is about, read as the analyzer reads it: the class declaration that carries the
/// [Network] attribute the diagnostic points at (or its Requires argument), its layers in order with the
/// attribute that declares each, and the budget the analyzer applies. A fix plans its edit from this and
/// checks it with the same layer algebra the analyzer runs, so it is only offered when it works.
/// </summary>
/// <param name="Layers">The layers in the order they run.</param>
/// <param name="Attributes">The attribute that declares each layer, index for index with <paramref name="Layers"/>.</param>
internal sealed record NetworkDeclaration(Document Document, SemanticModel Model, SourceText Text, ClassDeclarationSyntax Syntax,
    NetworkArguments Network, IReadOnlyList<Layer> Layers, IReadOnlyList<AttributeSyntax> Attributes, int Budget)
{
    public int Classes => Network.Classes;

    /// <summary>
    /// The declaration a diagnostic at <paramref name="span"/> is about, or null when there is none the fixes
    /// can edit: no readable [Network] class there, no layers, an attribute the compiler cannot bind, or
    /// layers declared on another part of a partial class (their order then depends on file paths, and an
    /// edit in one file is no longer obviously right).
    /// </summary>
    public static async Task<NetworkDeclaration?> FindAsync(Document document, TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || !root.FullSpan.Contains(span)) return null;
        var syntax = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<ClassDeclarationSyntax>();
        if (syntax is null || model.GetDeclaredSymbol(syntax, cancellationToken) is not { } type) return null;

        var network = NetworkAttributeReader.ReadNetwork(type);
        var declared = network is null ? null : NetworkAttributeReader.ReadLayers(type);
        if (network is null || declared is null || declared.Count == 0) return null;

        var attributes = new List<AttributeSyntax>(declared.Count);
        foreach (var layer in declared)
        {
            if (layer.Attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is not AttributeSyntax attribute
                || attribute.SyntaxTree != syntax.SyntaxTree
                || !syntax.AttributeLists.Any(list => list.Span.Contains(attribute.Span)))
                return null;
            attributes.Add(attribute);
        }

        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        var budget = ParameterBudgetSettings.Resolve(network.ParameterBudget, syntax.SyntaxTree,
            document.Project.AnalyzerOptions.AnalyzerConfigOptionsProvider);
        return new NetworkDeclaration(document, model, text, syntax, network, declared.Select(l => l.Layer).ToArray(), attributes, budget);
    }

    /// <summary>The layer algebra's report on these layers, with this network's input, classes, budget and (unless given) Requires.</summary>
    public NetworkReport Analyze(IEnumerable<Layer> layers, RequiredLayers? requires = null) =>
        NetworkAnalysis.Analyze(new NetworkDefinition(Syntax.Identifier.ValueText, Network.Channels, Network.Height, Network.Width,
            layers, Network.Classes, Budget, requires ?? Network.Requires));

    /// <summary>
    /// True when inserting <paramref name="inserted"/> before layer <paramref name="index"/> removes every
    /// <paramref name="fixedRule"/> violation and breaks no rule more often than the network already does (no new
    /// budget excess, no shape that stops working, no new warning).
    /// </summary>
    public bool Helps(int index, IReadOnlyList<Layer> inserted, Rule fixedRule)
    {
        var before = Analyze(Layers).Violations;
        if (!before.Any(v => v.Rule == fixedRule)) return false;
        var layers = Layers.Take(index).Concat(inserted).Concat(Layers.Skip(index));
        var after = Analyze(layers).Violations;
        if (after.Any(v => v.Rule == fixedRule)) return false;
        return after.GroupBy(v => v.Rule).All(g => g.Count() <= before.Count(v => v.Rule == g.Key));
    }
}
