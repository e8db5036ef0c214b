using static Mnist.Torch.torch;

namespace Mnist.Torch.Modules;

// Layers without parameters: each forwards to its torch.nn.functional counterpart.

public sealed class ReLU : nn.Module<Tensor, Tensor>
{
    private readonly bool inplace;

    internal ReLU(bool inplace) : base(nameof(ReLU)) => this.inplace = inplace;

    public override Tensor forward(Tensor input) => nn.functional.relu(input, inplace);
}

/// <summary>Zeroes elements with probability p in training and scales the rest by 1/(1-p); identity in eval.</summary>
public sealed class Dropout : nn.Module<Tensor, Tensor>
{
    private double probability;

    internal Dropout(double p) : base(nameof(Dropout)) => this.p = p;

    /// <summary>
    /// The drop probability, settable as in TorchSharp (and as PyTorch's attribute): p = 0 turns dropout off in
    /// training while BatchNorm keeps using batch statistics, which eval() cannot do (parity tests need it).
    /// </summary>
    public double p
    {
        get => probability;
        set => probability = CheckProbability(value);
    }

    public override Tensor forward(Tensor input) => nn.functional.dropout(input, p, training);

    internal static double CheckProbability(double p) =>
        p is >= 0 and <= 1 ? p : throw new System.ArgumentException($"dropout probability has to be between 0 and 1, but got {p}");
}

/// <summary>Zeroes whole channels with probability p in training; identity in eval.</summary>
public sealed class Dropout2d : nn.Module<Tensor, Tensor>
{
    private double probability;

    internal Dropout2d(double p) : base(nameof(Dropout2d)) => this.p = p;

    /// <summary>The channel drop probability, settable as <see cref="Dropout.p"/> is.</summary>
    public double p
    {
        get => probability;
        set => probability = Dropout.CheckProbability(value);
    }

    public override Tensor forward(Tensor input) => nn.functional.dropout2d(input, p, training);
}

public sealed class MaxPool2d : nn.Module<Tensor, Tensor>
{
    private readonly long kernelSize, stride, padding, dilation;
    private readonly bool ceilMode;

    internal MaxPool2d(long kernelSize, long? stride, long? padding, long? dilation, bool ceil_mode) : base(nameof(MaxPool2d))
    {
        (this.kernelSize, this.stride, this.padding, this.dilation, ceilMode) = (kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1, ceil_mode);
    }

    public override Tensor forward(Tensor input) => nn.functional.max_pool2d(input, kernelSize, stride, padding, dilation, ceilMode);
}

public sealed class AvgPool2d : nn.Module<Tensor, Tensor>
{
    private readonly long kernelSize, stride, padding;
    private readonly bool ceilMode, countIncludePad;

    internal AvgPool2d(long kernelSize, long? stride, long? padding, bool ceil_mode, bool count_include_pad) : base(nameof(AvgPool2d))
    {
        (this.kernelSize, this.stride, this.padding, ceilMode, countIncludePad) = (kernelSize, stride ?? kernelSize, padding ?? 0, ceil_mode, count_include_pad);
    }

    public override Tensor forward(Tensor input) => nn.functional.avg_pool2d(input, kernelSize, stride, padding, ceilMode, countIncludePad);
}

/// <summary>Averages each channel down to outputSize × outputSize; with 1 it is global average pooling.</summary>
public sealed class AdaptiveAvgPool2d : nn.Module<Tensor, Tensor>
{
    private readonly long outputSize;

    internal AdaptiveAvgPool2d(long outputSize) : base(nameof(AdaptiveAvgPool2d)) => this.outputSize = outputSize;

    public override Tensor forward(Tensor input) => nn.functional.adaptive_avg_pool2d(input, outputSize);
}

public sealed class Flatten : nn.Module<Tensor, Tensor>
{
    private readonly long startDim, endDim;

    internal Flatten(long startDim, long endDim) : base(nameof(Flatten)) => (this.startDim, this.endDim) = (startDim, endDim);

    public override Tensor forward(Tensor input) => input.flatten(startDim, endDim);
}

public sealed class LogSoftmax : nn.Module<Tensor, Tensor>
{
    private readonly long dim;

    internal LogSoftmax(long dim) : base(nameof(LogSoftmax)) => this.dim = dim;

    public override Tensor forward(Tensor input) => nn.functional.log_softmax(input, dim);
}
