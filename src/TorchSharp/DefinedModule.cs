using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Training.Definitions;
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
    private readonly Step[] _steps;
    private readonly bool _flattenOutput;

    /// <summary>Builds the module; throws <see cref="NetworkRulesException"/> when the definition breaks a rule.</summary>
    public DefinedModule(NetworkDefinition definition) : this(DefinedNetwork.Check(definition))
    {
    }

    private DefinedModule(NetworkSummary summary) : base(summary.Name)
    {
        Summary = summary;
        Layout = ModuleLayout.Of(summary);
        _steps = new Step[summary.Layers.Count];
        foreach (var report in summary.Layers)
        {
            var module = Layout.Members[report.Index] is { } name ? Register(name, Create(report)) : null;
            // A [C, 1, 1] map feeds a Linear as a [C] vector, as the generated forward does (x.view(-1, C) in notebooks).
            _steps[report.Index] = new Step(report.Layer, module, report.Layer.Kind == LayerKind.Linear && report.Input.IsPointMap);
        }
        _flattenOutput = summary.Output.IsPointMap;
    }

    /// <summary>What the layer algebra computed for the definition: the numbers this module has.</summary>
    public NetworkSummary Summary { get; }

    /// <summary>The member names and state-dict tensors, as the generated module of the same layers has them.</summary>
    public ModuleLayout Layout { get; }

    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var step in _steps)
        {
            if (step.FlattenFirst) x = x.flatten(1);
            x = step.Module is { } module ? module.call(x) : Functional(step, x);
        }
        return _flattenOutput ? x.flatten(1) : x;
    }

    private nn.Module<Tensor, Tensor> Register(string name, nn.Module<Tensor, Tensor> module)
    {
        register_module(name, module);
        return module;
    }

    /// <summary>The module of a layer, with the sizes the algebra inferred: its kind's description, which the generator writes as code.</summary>
    private static nn.Module<Tensor, Tensor> Create(LayerReport report) => TorchCalls.Module(report.Layer.TorchModule(report.Input));

    /// <summary>A functional layer as the generated forward calls it (its kind's description). Layers with state are never functional.</summary>
    private Tensor Functional(Step step, Tensor x) => TorchCalls.Apply(step.Functional!, x, training);

    /// <summary>One layer of forward: its module (null when functional), and whether its input is flattened first.</summary>
    private sealed record Step(Layer Layer, nn.Module<Tensor, Tensor>? Module, bool FlattenFirst)
    {
        public LayerCallBinder? Functional { get; } = Module is null ? TorchCalls.Functional(Layer) : null;
    }
}
