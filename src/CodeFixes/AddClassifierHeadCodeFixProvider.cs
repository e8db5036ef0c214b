using System.Composition;
using System.Globalization;
using Microsoft.CodeAnalysis.CodeFixes;
using Mnist.Dsl.Analyzers;

namespace Mnist.Dsl.CodeFixes;

/// <summary>
/// MNIST0004 (no global average pooling) and MNIST0005 (no fully connected layer): completes the classifier head
/// the seeds end with, <c>GlobalAvgPool2d, Linear(Classes)</c>, Classes being [Network]'s (10 unless it says).
/// <list type="bullet">
/// <item>Where: before a final <c>LogSoftmax</c>, in its attribute list (<c>[LogSoftmax]</c> becomes
/// <c>[GlobalAvgPool2d, Linear(10), LogSoftmax]</c>); with no LogSoftmax, after the last layer: the two layers as a
/// new attribute list on a line of their own, a lone <c>Linear</c> in the last layer's list.</item>
/// <item>What: <c>Linear(Classes)</c> alone when the network already pools globally (<c>GlobalAvgPool2d</c>, or an
/// <c>AvgPool2d</c> over the whole map), or when global pooling is not required and the network ends in a vector
/// or a 1×1 map, which Linear takes as it is; both layers otherwise.</item>
/// <item>Not offered for MNIST0004 when the network already has a Linear (a Flatten → Linear head: which layers
/// global pooling should replace is not obvious), nor when the head would break the budget or a shape.</item>
/// </list>
/// Both diagnostics on one network get the same action (same equivalence key), applied once by Fix All.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddClassifierHeadCodeFixProvider)), Shared]
public sealed class AddClassifierHeadCodeFixProvider()
    : LayerInsertionCodeFixProvider(DiagnosticDescriptors.MissingGlobalAvgPool, DiagnosticDescriptors.MissingFullyConnected)
{
    public const string AddPoolingAndLinearKey = "Mnist.Dsl.AddGlobalAvgPool2dAndLinear";
    public const string AddLinearKey = "Mnist.Dsl.AddLinear";

    private protected override LayerInsertion? Plan(NetworkDeclaration network, Diagnostic diagnostic)
    {
        var layers = network.Layers;
        var rule = diagnostic.Id == DiagnosticDescriptors.MissingGlobalAvgPool.Id ? Rule.MissingGlobalAvgPool : Rule.MissingFullyConnected;
        if (rule == Rule.MissingGlobalAvgPool && layers.Any(l => l is Linear)) return null;

        var tail = layers[layers.Count - 1] is LogSoftmax ? layers.Count - 1 : layers.Count;
        var report = network.Analyze(layers, RequiredLayers.GlobalAvgPool);
        var poolsGlobally = !report.Violations.Any(v => v.Rule == Rule.MissingGlobalAvgPool);
        var poolingRequired = (network.Network.Requires & RequiredLayers.GlobalAvgPool) != 0;
        // What reaches the head; unknown (null) when the shapes already fail before it.
        var body = tail == 0 ? report.Network.Input : report.Summary?.Layers.FirstOrDefault(r => r.Index == tail - 1)?.Output;
        var takesLinear = body is { } shape && (shape.IsFlat || shape.IsPointMap);
        var withPooling = !poolsGlobally && (poolingRequired || !takesLinear);

        var classes = network.Classes.ToString(CultureInfo.InvariantCulture);
        var linear = new NewLayer(new Linear(network.Classes), "Linear", "(" + classes + ")");
        var head = withPooling ? new[] { new NewLayer(new GlobalAvgPool2d(), "GlobalAvgPool2d"), linear } : new[] { linear };
        var key = withPooling ? AddPoolingAndLinearKey : AddLinearKey;
        var title = (withPooling ? "Add GlobalAvgPool2d, Linear(" : "Add Linear(") + classes + ")"
            + (tail < layers.Count ? " before LogSoftmax" : " at the end");

        if (tail < layers.Count) return LayerInsertion.Before(network, tail, head, rule, title, key);
        return withPooling
            ? LayerInsertion.NewListAtEnd(network, head, rule, title, key)
            : LayerInsertion.After(network, layers.Count - 1, head, rule, title, key);
    }
}
