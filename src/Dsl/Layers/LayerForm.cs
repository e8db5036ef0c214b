namespace Mnist.Dsl.Layers;

/// <summary>
/// How the lowerings that work layer by layer outside the record (the inference plan, the ONNX graph) carry a kind out:
/// they switch on <see cref="Layer.Form"/> with no discard arm (the ONNX graph's is a switch expression, so a new form
/// is a compile error there, CS8509; the inference plan's is a statement, and the tests walk every kind through it). Most forms are one or two kinds whose lowering needs more than their record can say
/// (weights to fold, an epilogue to fuse into). <see cref="Elementwise"/> is every kind its record describes completely
/// (<see cref="ElementwiseLayer"/>: its inference kernel and ONNX node are data on the record), so a new elementwise
/// kind adds no arm anywhere: it picks this form instead of adding one.
/// </summary>
public enum LayerForm
{
    /// <summary>Conv2d: its weights, and a BatchNorm after it folded into them.</summary>
    Convolution,

    /// <summary>Linear: a 1×1 convolution at inference, Gemm in ONNX; a BatchNorm1d after it folded into its weights.</summary>
    Linear,

    /// <summary>BatchNorm2d and BatchNorm1d (<see cref="BatchNormLayer"/>): folded, or a per-channel scale and shift.</summary>
    BatchNorm,

    /// <summary>ReLU: fused into the store of the stage before it at inference.</summary>
    ReLU,

    /// <summary>A function of each value on its own (<see cref="ElementwiseLayer"/>): everything about it is on its record.</summary>
    Elementwise,

    /// <summary>Dropout and Dropout2d (<see cref="DropoutLayer"/>): nothing in eval mode.</summary>
    Identity,

    /// <summary>MaxPool2d and AvgPool2d (<see cref="Pool2dLayer"/>).</summary>
    Pool,

    GlobalAvgPool,

    /// <summary>Flatten: nothing to do on a vector or a [C, 1, 1] map.</summary>
    Flatten,

    /// <summary>LogSoftmax over each pixel's channels (not elementwise: it reads them all).</summary>
    LogSoftmax,
}
