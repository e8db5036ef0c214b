using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Layers;
using static TorchSharp.torch;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// A layer list run for real on TorchSharp (libtorch 2.10), read independently of the layer algebra: each layer becomes its
/// module (or torch.nn.functional call, when Functional) only when the tensor that reaches it exists, and takes
/// its in-channels or in-features from that tensor's real shape, as PyTorch's Lazy modules do. So every shape and
/// parameter recorded here is what libtorch produced, never a number the algebra computed.
/// <para>
/// The DSL's own conventions, written down here once more from its documentation rather than taken from its
/// code: a pool's Stride of 0 is PyTorch's default (the kernel size), a Linear after a [C, 1, 1] map gets it
/// flattened to [C], and LogSoftmax normalises over dimension 1.
/// </para>
/// </summary>
internal sealed class RuntimeStack : IDisposable
{
    /// <summary>One layer as it ran: the module (null for a functional call), its output's shape, its parameters' shapes.</summary>
    public sealed record LayerRun(Layer Layer, nn.Module<Tensor, Tensor>? Module, long[] OutputShape, IReadOnlyList<long[]> ParameterShapes)
    {
        public long Parameters => ParameterShapes.Sum(s => s.Aggregate(1L, (a, b) => a * b));
    }

    private readonly List<LayerRun> layers = new();

    private RuntimeStack() { }

    public IReadOnlyList<LayerRun> Layers => layers;

    /// <summary>The last layer's output, in the dispose scope that was open when <see cref="Run"/> was called.</summary>
    public Tensor Output { get; private set; } = null!;

    /// <summary>Every parameter of every module, counted by numel() as torchsummary and PyTorch users count them.</summary>
    public long TotalParameters => layers.Where(l => l.Module is not null).SelectMany(l => l.Module!.parameters()).Sum(p => p.numel());

    /// <summary>Every parameter in layer order, as a generated module registers them.</summary>
    public IEnumerable<Tensor> Parameters() => layers.Where(l => l.Module is not null).SelectMany(l => l.Module!.parameters());

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
                stack.layers.Add(new LayerRun(layer, module, x.shape, parameterShapes));
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

    internal static nn.Module<Tensor, Tensor> CreateModule(Layer layer, Tensor x)
    {
        // The size of dimension 1 of the tensor that arrives: channels of a map, features of a vector.
        var arriving = x.shape[1];
        return layer switch
        {
            Conv2d c => nn.Conv2d(c.InChannels != 0 ? c.InChannels : arriving, c.OutChannels, c.KernelSize, c.Stride, c.Padding, groups: c.Groups, bias: c.Bias),
            BatchNorm2d b => nn.BatchNorm2d(arriving, b.Eps, b.Momentum),
            BatchNorm1d b => nn.BatchNorm1d(arriving, b.Eps, b.Momentum),
            ReLU => nn.ReLU(),
            Dropout d => nn.Dropout(d.P),
            Dropout2d d => nn.Dropout2d(d.P),
            MaxPool2d m => nn.MaxPool2d(m.KernelSize, PoolStride(m.Stride)),
            AvgPool2d a => nn.AvgPool2d(a.KernelSize, PoolStride(a.Stride)),
            GlobalAvgPool2d => nn.AdaptiveAvgPool2d(1),
            Flatten => nn.Flatten(),
            Linear l => nn.Linear(l.InFeatures != 0 ? l.InFeatures : arriving, l.OutFeatures, l.Bias),
            LogSoftmax => nn.LogSoftmax(1),
            _ => throw new ArgumentException($"RuntimeStack has no module for {layer}: add the new layer kind here"),
        };
    }

    private static Tensor Functional(Layer layer, Tensor x) => layer switch
    {
        ReLU => nn.functional.relu(x),
        Dropout d => nn.functional.dropout(x, d.P, training: false),
        Dropout2d d => nn.functional.dropout2d(x, d.P, training: false),
        MaxPool2d m => nn.functional.max_pool2d(x, m.KernelSize, PoolStride(m.Stride)),
        AvgPool2d a => nn.functional.avg_pool2d(x, a.KernelSize, PoolStride(a.Stride)),
        GlobalAvgPool2d => nn.functional.adaptive_avg_pool2d(x, 1),
        Flatten => x.flatten(1),
        LogSoftmax => nn.functional.log_softmax(x, 1),
        _ => throw new ArgumentException($"RuntimeStack has no functional form of {layer}: add the new layer kind here"),
    };

    /// <summary>The DSL's 0 ("the kernel size") is PyTorch's omitted stride.</summary>
    private static long? PoolStride(int stride) => stride == 0 ? null : stride;

    public void Dispose()
    {
        foreach (var layer in layers) layer.Module?.Dispose();
    }
}
