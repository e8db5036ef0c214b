using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Analyzers;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// MNIST0002 (no BatchNorm): adds <c>BatchNorm2d</c> to the first convolution's block.
/// Rule: right after the first <c>Conv2d</c>, or after the <c>ReLU</c> that directly follows it, which gives this
/// repository's Conv → ReLU → BatchNorm order: <c>[Conv2d(8, 3), ReLU, Dropout(0.1)]</c> becomes
/// <c>[Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1)]</c>. A convolution's output is a map, so BatchNorm2d fits
/// there and keeps every shape; it adds 2 × channels parameters, and the fix is not offered when that breaks the
/// budget. Not offered for a network without a convolution either: where BatchNorm1d belongs among Linear
/// layers is not obvious.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddBatchNormCodeFixProvider)), Shared]
public sealed class AddBatchNormCodeFixProvider : LayerInsertionCodeFixProvider
{
    public const string EquivalenceKey = "Mnist.Dsl.AddBatchNorm2d";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticDescriptors.MissingBatchNorm.Id);

    private protected override LayerInsertion? Plan(NetworkDeclaration network, Diagnostic diagnostic)
    {
        var layers = network.Layers;
        var conv = layers.TakeWhile(l => l is not Conv2d).Count();
        if (conv == layers.Count) return null;
        var after = conv + 1 < layers.Count && layers[conv + 1] is ReLU ? conv + 1 : conv;
        return LayerInsertion.After(network, after, new[] { new NewLayer(new BatchNorm2d(), "BatchNorm2d") }, Rule.MissingBatchNorm,
            "Add BatchNorm2d after the first convolution", EquivalenceKey);
    }
}
