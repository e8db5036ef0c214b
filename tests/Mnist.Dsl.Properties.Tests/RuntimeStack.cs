using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Torch;
using static TorchSharp.torch;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// A layer list run for real on TorchSharp (libtorch 2.10), independently of the layer algebra: each layer becomes its
/// module (or torch.nn.functional call, when Functional) only when the tensor that reaches it exists, and takes
/// its in-channels or in-features from that tensor's real shape, as PyTorch's Lazy modules do. So every shape and
/// parameter recorded here is what libtorch produced, never a number the algebra computed. The module itself is the
/// layer kind's description (Layer.TorchModule, made live by TorchCalls), the one the generator writes as code and
/// the run-time module builder calls: what this checks is that the algebra's numbers are what that module does.
/// <para>
/// The DSL's own convention, written down here once more from its documentation rather than taken from its code: a
/// Linear after a [C, 1, 1] map gets it flattened to [C].
/// </para>
/// </summary>
internal sealed class RuntimeStack : IDisposable
{
    /// <summary>One layer as it ran: the module (null for a functional call), its output's shape, its parameters' shapes.</summary>
    public sealed record LayerRun(Layer Layer, nn.Module<Tensor, Tensor>? Module, long[] OutputShape, IReadOnlyList<long[]> ParameterShapes)
    {
        public long Parameters => ParameterShapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
    }

    private readonly List<LayerRun> _layers = new();

    private RuntimeStack() { }

    public IReadOnlyList<LayerRun> Layers => _layers;

    /// <summary>The last layer's output, in the dispose scope that was open when <see cref="Run"/> was called.</summary>
    public Tensor Output { get; private set; } = null!;

    /// <summary>Every parameter of every module, counted by numel() as torchsummary and PyTorch users count them.</summary>
    public long TotalParameters => _layers.Where(l => l.Module is not null).SelectMany(l => l.Module!.parameters()).Sum(p => p.numel());

    /// <summary>Every parameter in layer order, as a generated module registers them.</summary>
    public IEnumerable<Tensor> Parameters() => _layers.Where(l => l.Module is not null).SelectMany(l => l.Module!.parameters());

    /// <summary>
    /// Builds and runs the layers on <paramref name="input"/> in evaluation mode (dropout is the identity, BatchNorm
    /// uses its running statistics) with autograd off. Intermediate tensors belong to the caller's dispose scope.
    /// </summary>
    public static RuntimeStack Run(IReadOnlyList<Layer> layers, Tensor input)
    {
        var stack = new RuntimeStack();
        try
        {
            using var _ = no_grad();
            var x = input;
            foreach (var layer in layers)
            {
                if (layer is Linear && x.dim() == 4 && x.shape[2] == 1 && x.shape[3] == 1) x = x.flatten(1);
                var module = layer.IsFunctional ? null : CreateModule(layer, x);
                module?.eval();
                x = module is not null ? module.forward(x) : Functional(layer, x);
                var parameterShapes = module?.parameters().Select(p => p.shape).ToArray() ?? Array.Empty<long[]>();
                stack._layers.Add(new LayerRun(layer, module, x.shape, parameterShapes));
            }
            stack.Output = x;
            return stack;
        }
        catch
        {
            stack.Dispose();
            throw;
        }
    }

    /// <summary>The layer's module, sized by the tensor that arrives (its dimension 1: a map's channels, a vector's features).</summary>
    internal static nn.Module<Tensor, Tensor> CreateModule(Layer layer, Tensor x) => TorchCalls.Module(layer.TorchModule(Arriving(x)));

    private static Tensor Functional(Layer layer, Tensor x) => TorchCalls.Apply(TorchCalls.Functional(layer), x, training: false);

    /// <summary>The shape of one sample of <paramref name="x"/> as libtorch holds it, not as the algebra computed it.</summary>
    private static Shape Arriving(Tensor x) => x.dim() == 4
        ? Shape.Map(checked((int)x.shape[1]), checked((int)x.shape[2]), checked((int)x.shape[3]))
        : Shape.Flat(checked((int)x.shape[1]));

    public void Dispose()
    {
        foreach (var layer in _layers) layer.Module?.Dispose();
    }
}
