using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Training.Definitions;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = TorchSharp.torch.Tensor;

namespace Mnist.Dsl.Torch;

/// <summary>
/// The TorchSharp module of a <see cref="NetworkDefinition"/> built at run time: for networks written as data (an F#
/// list of layers) that no source generator sees. It is the module the generator would emit for the same layers:
/// the same torch.nn modules with the same sizes, registered under the same names (<see cref="ModuleLayout"/>, which
/// the generator uses too: conv1, bn1, fc1, ...; state-dict keys conv1.weight, bn1.running_mean, ...), and the same
/// forward (functional layers as torch.nn.functional calls, a [C, 1, 1] map flattened before a Linear and at the end).
/// A definition that breaks a rule is refused with the analyzer's messages (<see cref="NetworkRulesException"/>).
/// </summary>
public sealed class DefinedModule : nn.Module<Tensor, Tensor>
{
    private readonly Step[] steps;
    private readonly bool flattenOutput;

    /// <summary>Builds the module; throws <see cref="NetworkRulesException"/> when the definition breaks a rule.</summary>
    public DefinedModule(NetworkDefinition definition) : this(DefinedNetwork.Check(definition))
    {
    }

    private DefinedModule(NetworkSummary summary) : base(summary.Name)
    {
        Summary = summary;
        Layout = ModuleLayout.Of(summary);
        steps = new Step[summary.Layers.Count];
        foreach (var report in summary.Layers)
        {
            var module = Layout.Members[report.Index] is { } name ? Register(name, Create(report)) : null;
            // A [C, 1, 1] map feeds a Linear as a [C] vector, as the generated forward does (x.view(-1, C) in notebooks).
            steps[report.Index] = new Step(report.Layer, module, report.Layer.Kind == LayerKind.Linear && report.Input.IsPointMap);
        }
        flattenOutput = summary.Output.IsPointMap;
    }

    /// <summary>What the layer algebra computed for the definition: the numbers this module has.</summary>
    public NetworkSummary Summary { get; }

    /// <summary>The member names and state-dict tensors, as the generated module of the same layers has them.</summary>
    public ModuleLayout Layout { get; }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var step in steps)
        {
            if (step.FlattenFirst) x = x.flatten(1);
            x = step.Module is { } module ? module.call(x) : Functional(step.Layer, x);
        }
        return flattenOutput ? x.flatten(1) : x;
    }

    private nn.Module<Tensor, Tensor> Register(string name, nn.Module<Tensor, Tensor> module)
    {
        register_module(name, module);
        return module;
    }

    /// <summary>The module of a layer, with the sizes the algebra inferred: what the generator's LayerKindTable writes as code.</summary>
    private static nn.Module<Tensor, Tensor> Create(LayerReport report)
    {
        var input = report.Input;
        var layer = report.Layer;
        return layer.Kind switch
        {
            LayerKind.Conv2d => Conv((Conv2d)layer, input.Channels),
            LayerKind.BatchNorm2d => nn.BatchNorm2d(input.Channels, ((BatchNorm2d)layer).Eps, ((BatchNorm2d)layer).Momentum),
            LayerKind.BatchNorm1d => nn.BatchNorm1d(input.Channels, ((BatchNorm1d)layer).Eps, ((BatchNorm1d)layer).Momentum),
            LayerKind.ReLU => nn.ReLU(),
            LayerKind.Dropout => nn.Dropout(((Dropout)layer).P),
            LayerKind.Dropout2d => nn.Dropout2d(((Dropout2d)layer).P),
            LayerKind.MaxPool2d => nn.MaxPool2d(((MaxPool2d)layer).KernelSize, ((MaxPool2d)layer).EffectiveStride),
            LayerKind.AvgPool2d => nn.AvgPool2d(((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).EffectiveStride),
            LayerKind.GlobalAvgPool2d => nn.AdaptiveAvgPool2d(1),
            LayerKind.Flatten => nn.Flatten(),
            LayerKind.Linear => nn.Linear(input.Channels, ((Linear)layer).OutFeatures, ((Linear)layer).Bias),
            LayerKind.LogSoftmax => nn.LogSoftmax(1),
        };
    }

    private static nn.Module<Tensor, Tensor> Conv(Conv2d c, int inChannels) =>
        nn.Conv2d(inChannels, c.OutChannels, c.KernelSize, c.Stride, c.Padding, groups: c.Groups, bias: c.Bias);

    /// <summary>A functional layer as the generated forward calls it. Layers with state are never functional (the algebra's records have no such flag).</summary>
    private Tensor Functional(Layer layer, Tensor x) => layer.Kind switch
    {
        LayerKind.ReLU => nn.functional.relu(x),
        LayerKind.Dropout => nn.functional.dropout(x, ((Dropout)layer).P, training),
        LayerKind.Dropout2d => nn.functional.dropout2d(x, ((Dropout2d)layer).P, training),
        LayerKind.MaxPool2d => nn.functional.max_pool2d(x, ((MaxPool2d)layer).KernelSize, ((MaxPool2d)layer).EffectiveStride),
        LayerKind.AvgPool2d => nn.functional.avg_pool2d(x, ((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).EffectiveStride),
        LayerKind.GlobalAvgPool2d => nn.functional.adaptive_avg_pool2d(x, 1),
        LayerKind.Flatten => x.flatten(1),
        LayerKind.LogSoftmax => nn.functional.log_softmax(x, 1),
        LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.Linear =>
            throw new InvalidOperationException($"{layer.Kind} has state and is never applied as a functional call"),
    };

    /// <summary>One layer of forward: its module (null when functional), and whether its input is flattened first.</summary>
    private sealed record Step(Layer Layer, nn.Module<Tensor, Tensor>? Module, bool FlattenFirst);
}
