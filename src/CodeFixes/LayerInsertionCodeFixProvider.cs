using System.Collections.Immutable;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// A fix that adds layer attributes to a [Network] declaration. The derived fix plans the insertion for a
/// diagnostic (or declines); this class offers it and fixes all occurrences: per document, each declaration's
/// insertion planned against the unchanged document, those with the chosen equivalence key applied together
/// (the same insertion planned from two diagnostics on one declaration, as MNIST0004 and MNIST0005 give, once).
/// The derived fix names the diagnostics it fixes once, to this class's constructor.
/// </summary>
public abstract class LayerInsertionCodeFixProvider : CodeFixProvider
{
    private protected LayerInsertionCodeFixProvider(params DiagnosticDescriptor[] fixable) =>
        FixableDiagnosticIds = fixable.Select(d => d.Id).ToImmutableArray();

    public sealed override ImmutableArray<string> FixableDiagnosticIds { get; }

    /// <summary>The insertion that fixes <paramref name="diagnostic"/> in <paramref name="network"/>, or null when no
    /// fix is obvious or it would not work.</summary>
    private protected abstract LayerInsertion? Plan(NetworkDeclaration network, Diagnostic diagnostic);

    public sealed override FixAllProvider GetFixAllProvider() => FixAllProvider.Create(FixDocumentAsync);

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        foreach (var diagnostic in context.Diagnostics)
        {
            var plan = await PlanAsync(context.Document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (plan is null) continue;
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(plan.Title, ct => ApplyAsync(document, new[] { plan.Change }, ct), plan.EquivalenceKey),
                diagnostic);
        }
    }

    private async Task<LayerInsertion?> PlanAsync(Document document, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!FixableDiagnosticIds.Contains(diagnostic.Id) || !diagnostic.Location.IsInSource) return null;
        var network = await NetworkDeclaration.FindAsync(document, diagnostic.Location.SourceSpan, cancellationToken).ConfigureAwait(false);
        return network is null ? null : Plan(network, diagnostic);
    }

    private async Task<Document?> FixDocumentAsync(FixAllContext context, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var changes = new List<TextChange>();
        foreach (var diagnostic in diagnostics)
        {
            var plan = await PlanAsync(document, diagnostic, context.CancellationToken).ConfigureAwait(false);
            if (plan is not null && plan.EquivalenceKey == context.CodeActionEquivalenceKey) changes.Add(plan.Change);
        }
        // Identical insertions come from diagnostics on the same declaration (MNIST0004 and MNIST0005); an
        // insertion is planned inside its own declaration, so the others never overlap.
        var distinct = changes.Distinct().ToArray();
        return distinct.Length == 0 ? document : await ApplyAsync(document, distinct, context.CancellationToken).ConfigureAwait(false);
    }

    private static async Task<Document> ApplyAsync(Document document, IEnumerable<TextChange> changes, CancellationToken cancellationToken)
    {
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        return document.WithText(text.WithChanges(changes));
    }
}
