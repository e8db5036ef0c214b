using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Analyzers;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// MNIST0003 (no Dropout): adds <c>Dropout(0.1)</c>, the seeds' "tiny dropout", closing the first block.
/// Rule: right after the first BatchNorm (<c>BatchNorm2d</c> or <c>BatchNorm1d</c>), which gives this repository's
/// Conv → ReLU → BatchNorm → Dropout block; without a BatchNorm, after the first <c>Conv2d</c> or the <c>ReLU</c> that
/// directly follows it. Dropout keeps shapes and adds no parameters. Not offered for a network with neither a
/// BatchNorm nor a convolution (where it belongs among Linear layers is not obvious).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddDropoutCodeFixProvider)), Shared]
public sealed class AddDropoutCodeFixProvider : LayerInsertionCodeFixProvider
{
    public const string EquivalenceKey = "Mnist.Dsl.AddDropout";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingDropout.Id);

    private protected override LayerInsertion? Plan(NetworkDeclaration network, Diagnostic diagnostic)
    {
        var layers = network.Layers;
        var after = layers.TakeWhile(l => l is not (BatchNorm2d or BatchNorm1d)).Count();
        string where = "the first BatchNorm";
        if (after == layers.Count)
        {
            var conv = layers.TakeWhile(l => l is not Conv2d).Count();
            if (conv == layers.Count) return null;
            after = conv + 1 < layers.Count && layers[conv + 1] is ReLU ? conv + 1 : conv;
            where = "the first convolution";
        }
        return LayerInsertion.After(network, after, new[] { new NewLayer(new Dropout(0.1), "Dropout", "(0.1)") }, Rule.MissingDropout,
            "Add Dropout(0.1) after " + where, EquivalenceKey);
    }
}
