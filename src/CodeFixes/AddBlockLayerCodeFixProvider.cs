using System.Composition;
using Microsoft.CodeAnalysis.CodeFixes;
using Mnist.Dsl.Analyzers;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// MNIST0002 (no BatchNorm) and MNIST0003 (no Dropout): completes the first block to this repository's
/// Conv → ReLU → BatchNorm → Dropout order.
/// <list type="bullet">
/// <item>MNIST0002 adds <c>BatchNorm2d</c> right after the first <c>Conv2d</c>, or after the <c>ReLU</c> that directly
/// follows it: <c>[Conv2d(8, 3), ReLU, Dropout(0.1)]</c> becomes <c>[Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1)]</c>.
/// A convolution's output is a map, so BatchNorm2d keeps every shape; it adds 2 × channels parameters, and the fix
/// is not offered when that breaks the budget.</item>
/// <item>MNIST0003 adds <c>Dropout(0.1)</c>, the seeds' "tiny dropout", right after the first BatchNorm
/// (<c>BatchNorm2d</c> or <c>BatchNorm1d</c>); without one, where MNIST0002's fix would put a BatchNorm. Dropout keeps
/// shapes and adds no parameters.</item>
/// </list>
/// Neither is offered for a network without a convolution (and, for Dropout, without a BatchNorm): where the layer
/// belongs among Linear layers is not obvious.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddBlockLayerCodeFixProvider)), Shared]
public sealed class AddBlockLayerCodeFixProvider()
    : LayerInsertionCodeFixProvider(DiagnosticDescriptors.MissingBatchNorm, DiagnosticDescriptors.MissingDropout)
{
    public const string AddBatchNormKey = "Mnist.Dsl.AddBatchNorm2d";
    public const string AddDropoutKey = "Mnist.Dsl.AddDropout";

    private protected override LayerInsertion? Plan(NetworkDeclaration network, Diagnostic diagnostic)
    {
        var layers = network.Layers;
        if (diagnostic.Id == DiagnosticDescriptors.MissingBatchNorm.Id)
            return AfterFirstConvolution(layers) is { } conv
                ? LayerInsertion.After(network, conv, new[] { new NewLayer(new BatchNorm2d(), "BatchNorm2d") }, Rule.MissingBatchNorm,
                    "Add BatchNorm2d after the first convolution", AddBatchNormKey)
                : null;

        var batchNorm = layers.TakeWhile(l => l is not (BatchNorm2d or BatchNorm1d)).Count();
        var (after, where) = batchNorm < layers.Count ? (batchNorm, "the first BatchNorm") : (AfterFirstConvolution(layers), "the first convolution");
        return after is { } index
            ? LayerInsertion.After(network, index, new[] { new NewLayer(new Dropout(0.1), "Dropout", "(0.1)") }, Rule.MissingDropout,
                "Add Dropout(0.1) after " + where, AddDropoutKey)
            : null;
    }

    /// <summary>The first Conv2d, or the ReLU right after it; null without a convolution.</summary>
    private static int? AfterFirstConvolution(IReadOnlyList<Layer> layers)
    {
        var conv = layers.TakeWhile(l => l is not Conv2d).Count();
        if (conv == layers.Count) return null;
        return conv + 1 < layers.Count && layers[conv + 1] is ReLU ? conv + 1 : conv;
    }
}
