using System;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

// One attribute per layer. They go on the network's partial class, in the order the layers run; several
// may share one attribute list so that a block reads as one line: [Conv2d(12, 3), ReLU, BatchNorm2d, Dropout(0.1)].

/// <summary>Base of the layer attributes.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public abstract class LayerAttribute : Attribute
{
    private protected LayerAttribute() { }
}

/// <summary>
/// Base of the layers without parameters. <see cref="Functional"/> applies the layer as a
/// torch.nn.functional call in forward instead of a module: no state-dict entry and no summary row, as in
/// notebooks that call F.relu or x.view (and whose torchsummary tables therefore have no such rows).
/// </summary>
public abstract class StatelessLayerAttribute : LayerAttribute
{
    private protected StatelessLayerAttribute() { }

    public bool Functional { get; set; } = LayerDefaults.Functional;
}

/// <summary>2-D convolution. In-channels come from the previous layer; give <see cref="InChannels"/> to have them checked.</summary>
public sealed class Conv2dAttribute : LayerAttribute
{
    public Conv2dAttribute(int outChannels, int kernelSize)
    {
        OutChannels = outChannels;
        KernelSize = kernelSize;
    }

    public int OutChannels { get; }
    public int KernelSize { get; }
    public int Stride { get; set; } = LayerDefaults.Stride;
    public int Padding { get; set; } = LayerDefaults.Padding;
    public bool Bias { get; set; } = LayerDefaults.Bias;

    /// <summary>0 (the default) infers them; any other value must equal the previous layer's channels.</summary>
    public int InChannels { get; set; } = LayerDefaults.InferredInput;

    /// <summary>
    /// Independent channel groups (torch.nn.Conv2d's groups; 1, the default, is an ordinary convolution). It must divide
    /// both the input and the output channels; equal to both, it is a depthwise convolution (one k×k filter per channel).
    /// </summary>
    public int Groups { get; set; } = LayerDefaults.Groups;
}

/// <summary>Batch normalisation over channels of a [C, H, W] map.</summary>
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    public double Momentum { get; set; } = LayerDefaults.BatchNormMomentum;
    public double Eps { get; set; } = LayerDefaults.BatchNormEps;
}

/// <summary>Batch normalisation over a [features] vector.</summary>
public sealed class BatchNorm1dAttribute : LayerAttribute
{
    public double Momentum { get; set; } = LayerDefaults.BatchNormMomentum;
    public double Eps { get; set; } = LayerDefaults.BatchNormEps;
}

public sealed class ReLUAttribute : StatelessLayerAttribute;

/// <summary>Zeroes activations with probability p while training.</summary>
public sealed class DropoutAttribute : StatelessLayerAttribute
{
    public DropoutAttribute(double p = LayerDefaults.DropoutProbability) => P = p;

    public double P { get; }
}

/// <summary>Zeroes whole channels with probability p while training.</summary>
public sealed class Dropout2dAttribute : StatelessLayerAttribute
{
    public Dropout2dAttribute(double p = LayerDefaults.DropoutProbability) => P = p;

    public double P { get; }
}

public sealed class MaxPool2dAttribute : StatelessLayerAttribute
{
    public MaxPool2dAttribute(int kernelSize = LayerDefaults.PoolKernelSize) => KernelSize = kernelSize;

    public int KernelSize { get; }

    /// <summary>0 (the default) means the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; } = LayerDefaults.PoolStride;
}

public sealed class AvgPool2dAttribute : StatelessLayerAttribute
{
    public AvgPool2dAttribute(int kernelSize = LayerDefaults.PoolKernelSize) => KernelSize = kernelSize;

    public int KernelSize { get; }

    /// <summary>0 (the default) means the kernel size, as in PyTorch.</summary>
    public int Stride { get; set; } = LayerDefaults.PoolStride;
}

/// <summary>Global average pooling: each channel of the map averaged to one value (AdaptiveAvgPool2d(1)).</summary>
public sealed class GlobalAvgPool2dAttribute : StatelessLayerAttribute;

/// <summary>Flattens [C, H, W] to [C·H·W].</summary>
public sealed class FlattenAttribute : StatelessLayerAttribute;

/// <summary>Fully connected layer. In-features come from the previous layer; give <see cref="InFeatures"/> to have them checked.</summary>
public sealed class LinearAttribute : LayerAttribute
{
    public LinearAttribute(int outFeatures) => OutFeatures = outFeatures;

    public int OutFeatures { get; }
    public bool Bias { get; set; } = LayerDefaults.Bias;

    /// <summary>0 (the default) infers them; any other value must equal the previous layer's features.</summary>
    public int InFeatures { get; set; } = LayerDefaults.InferredInput;
}

/// <summary>Log-probabilities over the classes (pairs with nll_loss).</summary>
public sealed class LogSoftmaxAttribute : StatelessLayerAttribute;
