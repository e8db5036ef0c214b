using System;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// What each layer kind writes in the generated module, one switch per place it appears: the module that
/// implements it (a field registered in the constructor), its torch.nn.functional call in forward, and its
/// construction in the static Definition. Each switch is exhaustive over <see cref="LayerKind"/> (no discard arm):
/// a new kind does not compile until every place says what it writes.
/// </summary>
internal static class ModuleLayerCode
{
    /// <summary>The module that implements a layer, constructed with the sizes the algebra inferred (in-channels, in-features).</summary>
    public static string Module(LayerPlan plan)
    {
        var layer = plan.Layer;
        var input = plan.Report.Input;
        return layer.Kind switch
        {
            LayerKind.Conv2d => Conv((Conv2d)layer, input.Channels),
            LayerKind.BatchNorm2d => $"nn.BatchNorm2d({Code.Int(input.Channels)}, {Code.Double(((BatchNorm2d)layer).Eps)}, {Code.Double(((BatchNorm2d)layer).Momentum)})",
            LayerKind.BatchNorm1d => $"nn.BatchNorm1d({Code.Int(input.Channels)}, {Code.Double(((BatchNorm1d)layer).Eps)}, {Code.Double(((BatchNorm1d)layer).Momentum)})",
            LayerKind.ReLU => "nn.ReLU()",
            LayerKind.Dropout => $"nn.Dropout({Code.Double(((Dropout)layer).P)})",
            LayerKind.Dropout2d => $"nn.Dropout2d({Code.Double(((Dropout2d)layer).P)})",
            LayerKind.MaxPool2d => $"nn.MaxPool2d({Code.Int(((MaxPool2d)layer).KernelSize)}, {Code.Int(((MaxPool2d)layer).EffectiveStride)})",
            LayerKind.AvgPool2d => $"nn.AvgPool2d({Code.Int(((AvgPool2d)layer).KernelSize)}, {Code.Int(((AvgPool2d)layer).EffectiveStride)})",
            LayerKind.GlobalAvgPool2d => "nn.AdaptiveAvgPool2d(1)",
            LayerKind.Flatten => "nn.Flatten()",
            LayerKind.Linear => $"nn.Linear({Code.Int(input.Channels)}, {Code.Int(((Linear)layer).OutFeatures)}, {Code.Bool(((Linear)layer).Bias)})",
            LayerKind.LogSoftmax => "nn.LogSoftmax(1)",
        };

        static string Conv(Conv2d c, int inChannels) =>
            $"nn.Conv2d({Code.Int(inChannels)}, {Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}, bias: {Code.Bool(c.Bias)})";
    }

    /// <summary>The call forward makes for a functional layer (on x). Layers with state are never functional.</summary>
    public static string FunctionalCall(Layer layer) => layer.Kind switch
    {
        LayerKind.ReLU => "nn.functional.relu(x)",
        LayerKind.Dropout => $"nn.functional.dropout(x, {Code.Double(((Dropout)layer).P)}, training)",
        LayerKind.Dropout2d => $"nn.functional.dropout2d(x, {Code.Double(((Dropout2d)layer).P)}, training)",
        LayerKind.MaxPool2d => $"nn.functional.max_pool2d(x, {Code.Int(((MaxPool2d)layer).KernelSize)}, {Code.Int(((MaxPool2d)layer).EffectiveStride)})",
        LayerKind.AvgPool2d => $"nn.functional.avg_pool2d(x, {Code.Int(((AvgPool2d)layer).KernelSize)}, {Code.Int(((AvgPool2d)layer).EffectiveStride)})",
        LayerKind.GlobalAvgPool2d => "nn.functional.adaptive_avg_pool2d(x, 1)",
        LayerKind.Flatten => "x.flatten(1)",
        LayerKind.LogSoftmax => "nn.functional.log_softmax(x, 1)",
        LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.Linear =>
            throw new InvalidOperationException($"{layer.Kind} has state and is never applied as a functional call"),
    };

    /// <summary>The layer as a Mnist.Dsl.Layers value with every argument spelled out, for the static Definition.</summary>
    public static string Construction(Layer layer) => "new global::Mnist.Dsl.Layers." + layer.Kind switch
    {
        LayerKind.Conv2d => Conv((Conv2d)layer),
        LayerKind.BatchNorm2d => $"BatchNorm2d({Code.Double(((BatchNorm2d)layer).Momentum)}, {Code.Double(((BatchNorm2d)layer).Eps)})",
        LayerKind.BatchNorm1d => $"BatchNorm1d({Code.Double(((BatchNorm1d)layer).Momentum)}, {Code.Double(((BatchNorm1d)layer).Eps)})",
        LayerKind.ReLU => $"ReLU({Code.Bool(layer.IsFunctional)})",
        LayerKind.Dropout => $"Dropout({Code.Double(((Dropout)layer).P)}, {Code.Bool(layer.IsFunctional)})",
        LayerKind.Dropout2d => $"Dropout2d({Code.Double(((Dropout2d)layer).P)}, {Code.Bool(layer.IsFunctional)})",
        LayerKind.MaxPool2d => $"MaxPool2d({Code.Int(((MaxPool2d)layer).KernelSize)}, {Code.Int(((MaxPool2d)layer).Stride)}, {Code.Bool(layer.IsFunctional)})",
        LayerKind.AvgPool2d => $"AvgPool2d({Code.Int(((AvgPool2d)layer).KernelSize)}, {Code.Int(((AvgPool2d)layer).Stride)}, {Code.Bool(layer.IsFunctional)})",
        LayerKind.GlobalAvgPool2d => $"GlobalAvgPool2d({Code.Bool(layer.IsFunctional)})",
        LayerKind.Flatten => $"Flatten({Code.Bool(layer.IsFunctional)})",
        LayerKind.Linear => $"Linear({Code.Int(((Linear)layer).OutFeatures)}, {Code.Bool(((Linear)layer).Bias)}, {Code.Int(((Linear)layer).InFeatures)})",
        LayerKind.LogSoftmax => $"LogSoftmax({Code.Bool(layer.IsFunctional)})",
    };

    private static string Conv(Conv2d c) =>
        $"Conv2d({Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}, {Code.Bool(c.Bias)}, {Code.Int(c.InChannels)})";
}
