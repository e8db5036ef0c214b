using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Text;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// One planned fix: the code action's title and equivalence key, and the one text edit that inserts the new
/// layer attributes. Edits are text insertions next to existing attributes, so every other character of the
/// declaration (spacing, comments, line breaks, the attribute names as written) stays as it was.
/// </summary>
internal sealed record LayerInsertion(string Title, string EquivalenceKey, TextChange Change)
{
    /// <summary>
    /// Inserts <paramref name="layers"/> right after layer <paramref name="index"/>, in the same attribute list:
    /// <c>[Conv2d(8, 3), ReLU]</c> becomes <c>[Conv2d(8, 3), ReLU, BatchNorm2d]</c>. Null unless it fixes <paramref name="rule"/>.
    /// </summary>
    public static LayerInsertion? After(NetworkDeclaration network, int index, IReadOnlyList<NewLayer> layers, Rule rule, string title, string key)
    {
        if (!network.Helps(index + 1, layers.Select(l => l.Layer).ToArray(), rule)) return null;
        var anchor = network.Attributes[index];
        var text = ", " + AttributeSpelling.SpellAll(network, anchor.SpanStart, layers);
        return new LayerInsertion(title, key, new TextChange(new TextSpan(anchor.Span.End, 0), text));
    }

    /// <summary>
    /// Inserts <paramref name="layers"/> right before layer <paramref name="index"/>, in the same attribute list:
    /// <c>[LogSoftmax]</c> becomes <c>[GlobalAvgPool2d, Linear(10), LogSoftmax]</c>. Null unless it fixes <paramref name="rule"/>.
    /// </summary>
    public static LayerInsertion? Before(NetworkDeclaration network, int index, IReadOnlyList<NewLayer> layers, Rule rule, string title, string key)
    {
        if (!network.Helps(index, layers.Select(l => l.Layer).ToArray(), rule)) return null;
        var anchor = network.Attributes[index];
        var text = AttributeSpelling.SpellAll(network, anchor.SpanStart, layers) + ", ";
        return new LayerInsertion(title, key, new TextChange(new TextSpan(anchor.SpanStart, 0), text));
    }

    /// <summary>
    /// Inserts <paramref name="layers"/> after the last layer as a new attribute list: on a line of its own with
    /// the indentation of the line of the list before it when that list ends its line (after any comment on that line),
    /// else on the same line after it. Null unless it fixes <paramref name="rule"/>.
    /// </summary>
    public static LayerInsertion? NewListAtEnd(NetworkDeclaration network, IReadOnlyList<NewLayer> layers, Rule rule, string title, string key)
    {
        if (!network.Helps(network.Layers.Count, layers.Select(l => l.Layer).ToArray(), rule)) return null;
        var last = network.Attributes[network.Attributes.Count - 1];
        if (last.Parent is not AttributeListSyntax list) return null;
        var newList = "[" + AttributeSpelling.SpellAll(network, last.SpanStart, layers) + "]";
        var close = list.CloseBracketToken;
        var endOfLine = close.TrailingTrivia.LastOrDefault(t => t.IsKind(SyntaxKind.EndOfLineTrivia));
        if (!endOfLine.IsKind(SyntaxKind.EndOfLineTrivia))
            return new LayerInsertion(title, key, new TextChange(new TextSpan(close.Span.End, 0), " " + newList));
        var line = network.Text.Lines.GetLineFromPosition(list.SpanStart);
        var indent = new string(network.Text.ToString(TextSpan.FromBounds(line.Start, list.SpanStart)).TakeWhile(c => c is ' ' or '\t').ToArray());
        return new LayerInsertion(title, key, new TextChange(new TextSpan(endOfLine.Span.End, 0), indent + newList + endOfLine.ToString()));
    }
}
