using System;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// What each layer kind writes in the generated module, as one row per kind: the module that implements it (a
/// field registered in the constructor, built with the sizes the algebra inferred), its torch.nn.functional call
/// in forward (none for layers with state, which are never functional), and its construction in the static
/// Definition. The switch is exhaustive over <see cref="LayerKind"/> (no discard arm): a new kind does not compile
/// until its row says what it writes.
/// </summary>
internal static class ModuleLayerCode
{
    private readonly record struct Row(string Module, string? Functional, string Definition);

    public static string Module(LayerPlan layer) => RowOf(layer.Layer, layer.Report.Input.Channels).Module;

    /// <summary>The call forward makes for a functional layer (on x).</summary>
    public static string FunctionalCall(LayerPlan layer) =>
        RowOf(layer.Layer, layer.Report.Input.Channels).Functional
        ?? throw new InvalidOperationException($"{layer.Kind} has state and is never applied as a functional call");

    /// <summary>The layer as a Mnist.Dsl.Layers value with every argument spelled out.</summary>
    public static string Construction(LayerPlan layer) => "new global::Mnist.Dsl.Layers." + RowOf(layer.Layer, layer.Report.Input.Channels).Definition;

    private static Row RowOf(Layer layer, int inChannels)
    {
        var functional = Code.Bool(layer.IsFunctional);
        return layer.Kind switch
        {
            LayerKind.Conv2d => Convolution((Conv2d)layer, inChannels),
            LayerKind.BatchNorm2d => BatchNorm("BatchNorm2d", inChannels, ((BatchNorm2d)layer).Momentum, ((BatchNorm2d)layer).Eps),
            LayerKind.BatchNorm1d => BatchNorm("BatchNorm1d", inChannels, ((BatchNorm1d)layer).Momentum, ((BatchNorm1d)layer).Eps),
            LayerKind.ReLU => new("nn.ReLU()", "nn.functional.relu(x)", $"ReLU({functional})"),
            LayerKind.Dropout => Dropout("Dropout", "dropout", ((Dropout)layer).P, functional),
            LayerKind.Dropout2d => Dropout("Dropout2d", "dropout2d", ((Dropout2d)layer).P, functional),
            LayerKind.MaxPool2d => Pool("MaxPool2d", "max_pool2d", ((MaxPool2d)layer).KernelSize, ((MaxPool2d)layer).Stride, ((MaxPool2d)layer).EffectiveStride, functional),
            LayerKind.AvgPool2d => Pool("AvgPool2d", "avg_pool2d", ((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).Stride, ((AvgPool2d)layer).EffectiveStride, functional),
            LayerKind.GlobalAvgPool2d => new("nn.AdaptiveAvgPool2d(1)", "nn.functional.adaptive_avg_pool2d(x, 1)", $"GlobalAvgPool2d({functional})"),
            LayerKind.Flatten => new("nn.Flatten()", "x.flatten(1)", $"Flatten({functional})"),
            LayerKind.Linear => FullyConnected((Linear)layer, inChannels),
            LayerKind.LogSoftmax => new("nn.LogSoftmax(1)", "nn.functional.log_softmax(x, 1)", $"LogSoftmax({functional})"),
        };
    }

    private static Row Convolution(Conv2d c, int inChannels) => new(
        $"nn.Conv2d({Code.Int(inChannels)}, {Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}, bias: {Code.Bool(c.Bias)})",
        null,
        $"Conv2d({Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}, {Code.Bool(c.Bias)}, {Code.Int(c.InChannels)})");

    /// <summary>torch.nn's BatchNorm takes eps before momentum; the record (and the attribute) momentum first.</summary>
    private static Row BatchNorm(string kind, int channels, double momentum, double eps) =>
        new($"nn.{kind}({Code.Int(channels)}, {Code.Double(eps)}, {Code.Double(momentum)})", null, $"{kind}({Code.Double(momentum)}, {Code.Double(eps)})");

    private static Row Dropout(string kind, string function, double p, string functional) =>
        new($"nn.{kind}({Code.Double(p)})", $"nn.functional.{function}(x, {Code.Double(p)}, training)", $"{kind}({Code.Double(p)}, {functional})");

    /// <summary>The module and the call get the effective stride; the Definition keeps the declared one (0: the kernel size).</summary>
    private static Row Pool(string kind, string function, int kernel, int declaredStride, int stride, string functional) =>
        new($"nn.{kind}({Code.Int(kernel)}, {Code.Int(stride)})", $"nn.functional.{function}(x, {Code.Int(kernel)}, {Code.Int(stride)})",
            $"{kind}({Code.Int(kernel)}, {Code.Int(declaredStride)}, {functional})");

    private static Row FullyConnected(Linear l, int inFeatures) => new(
        $"nn.Linear({Code.Int(inFeatures)}, {Code.Int(l.OutFeatures)}, {Code.Bool(l.Bias)})",
        null,
        $"Linear({Code.Int(l.OutFeatures)}, {Code.Bool(l.Bias)}, {Code.Int(l.InFeatures)})");
}
