using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Max and average pooling over a window; a stride of 0 means the kernel size.</summary>
public abstract record Pool2dLayer(int KernelSize, int Stride, bool Functional) : Layer
{
    public override bool IsFunctional => Functional;

    public override LayerForm Form => LayerForm.Pool;

    public int EffectiveStride => Stride == 0 ? KernelSize : Stride;

    internal override LayerStep? Step(LayerChecks check) => check.Pool(KernelSize, Stride, EffectiveStride);

    /// <summary>The module and the call get the effective stride; the Definition keeps the declared one (0: the kernel size).</summary>
    public override LayerCall TorchModule(Shape input) => new("nn." + ModuleName, CallArgument.Of(KernelSize), CallArgument.Of(EffectiveStride));

    public override LayerCall? TorchFunctional =>
        new("nn.functional." + (Kind == LayerKind.MaxPool2d ? "max_pool2d" : "avg_pool2d"), CallArgument.Input, CallArgument.Of(KernelSize),
            CallArgument.Of(EffectiveStride));

    public override LayerCall EngineCall(LayerReport report, string? member) =>
        new(ModuleName, CallArgument.Of(KernelSize), CallArgument.Of(EffectiveStride));

    public override string Describe(Shape input) =>
        string.Format(CultureInfo.InvariantCulture, "{0} {1}×{1}, stride {2}", ModuleName, KernelSize, EffectiveStride);
}

/// <summary>Max pooling; a stride of 0 means the kernel size.</summary>
public sealed record MaxPool2d(int KernelSize = LayerDefaults.PoolKernelSize, int Stride = LayerDefaults.PoolStride,
    bool Functional = LayerDefaults.Functional)
    : Pool2dLayer(KernelSize, Stride, Functional)
{
    public override LayerKind Kind => LayerKind.MaxPool2d;

    public override string MemberStem => "maxpool";
}

/// <summary>Average pooling; a stride of 0 means the kernel size.</summary>
public sealed record AvgPool2d(int KernelSize = LayerDefaults.PoolKernelSize, int Stride = LayerDefaults.PoolStride,
    bool Functional = LayerDefaults.Functional)
    : Pool2dLayer(KernelSize, Stride, Functional)
{
    public override LayerKind Kind => LayerKind.AvgPool2d;

    public override string MemberStem => "avgpool";
}
