namespace Mnist.Dsl.Layers;

// The layers as plain immutable values: what the attributes say, without Roslyn. The generator parses
// attributes into these, F# code builds lists of them directly, and the analysis in Mnist.Dsl.Analysis
// computes shapes, sizes and rule results from them.

/// <summary>One layer of a network, in declaration order.</summary>
public abstract record Layer
{
    private protected Layer() { }

    /// <summary>Which layer this is, for exhaustive switches (see <see cref="LayerKind"/>).</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>The torch.nn module that implements the layer (the name torchsummary prints): the kind's name unless a record says otherwise.</summary>
    public virtual string ModuleName => Kind.ToString();

    /// <summary>Applied as a torch.nn.functional call: no module, no state, no summary row.</summary>
    public virtual bool IsFunctional => false;
}

/// <summary>
/// 2-D convolution. <see cref="Groups"/> splits the channels into that many independent convolutions (torch.nn.Conv2d's
/// groups): each output channel sees InChannels / Groups input channels; Groups equal to both channel counts is a
/// depthwise convolution. Last so that positional uses written before it keep their meaning.
/// </summary>
public sealed record Conv2d(int OutChannels, int KernelSize, int Stride = LayerDefaults.Stride, int Padding = LayerDefaults.Padding,
    bool Bias = LayerDefaults.Bias, int InChannels = LayerDefaults.InferredInput, int Groups = LayerDefaults.Groups) : Layer
{
    public override LayerKind Kind => LayerKind.Conv2d;
}

public sealed record BatchNorm2d(double Momentum = LayerDefaults.BatchNormMomentum, double Eps = LayerDefaults.BatchNormEps) : Layer
{
    public override LayerKind Kind => LayerKind.BatchNorm2d;
}

public sealed record BatchNorm1d(double Momentum = LayerDefaults.BatchNormMomentum, double Eps = LayerDefaults.BatchNormEps) : Layer
{
    public override LayerKind Kind => LayerKind.BatchNorm1d;
}

public sealed record ReLU(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.ReLU;
    public override bool IsFunctional => Functional;
}

public sealed record Dropout(double P = LayerDefaults.DropoutProbability, bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.Dropout;
    public override bool IsFunctional => Functional;
}

public sealed record Dropout2d(double P = LayerDefaults.DropoutProbability, bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.Dropout2d;
    public override bool IsFunctional => Functional;
}

/// <summary>Max pooling; a stride of 0 means the kernel size.</summary>
public sealed record MaxPool2d(int KernelSize = LayerDefaults.PoolKernelSize, int Stride = LayerDefaults.PoolStride, bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.MaxPool2d;
    public override bool IsFunctional => Functional;
    public int EffectiveStride => Stride == 0 ? KernelSize : Stride;
}

/// <summary>Average pooling; a stride of 0 means the kernel size.</summary>
public sealed record AvgPool2d(int KernelSize = LayerDefaults.PoolKernelSize, int Stride = LayerDefaults.PoolStride, bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.AvgPool2d;
    public override bool IsFunctional => Functional;
    public int EffectiveStride => Stride == 0 ? KernelSize : Stride;
}

/// <summary>Global average pooling, implemented as AdaptiveAvgPool2d(1).</summary>
public sealed record GlobalAvgPool2d(bool Functional = LayerDefaults.Functional) : Layer
{
    public override string ModuleName => "AdaptiveAvgPool2d";
    public override LayerKind Kind => LayerKind.GlobalAvgPool2d;
    public override bool IsFunctional => Functional;
}

public sealed record Flatten(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.Flatten;
    public override bool IsFunctional => Functional;
}

public sealed record Linear(int OutFeatures, bool Bias = LayerDefaults.Bias, int InFeatures = LayerDefaults.InferredInput) : Layer
{
    public override LayerKind Kind => LayerKind.Linear;
}

public sealed record LogSoftmax(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.LogSoftmax;
    public override bool IsFunctional => Functional;
}
