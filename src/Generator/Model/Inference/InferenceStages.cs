namespace Mnist.Dsl.Generator.Model.Inference;

/// <summary>
/// One activation between stages of the inference forward pass, in the scratch array: channels-last (a pixel's
/// channels are adjacent), with a border of <see cref="Pad"/> zero pixels that the convolution reading it needs, so
/// its loops have no bounds tests. The border is zero from allocation and no stage ever writes it. <see cref="Offset"/>
/// is where it starts in the scratch array, -1 when it is the caller's image itself (read directly, never copied);
/// offsets are distinct, so activations are distinct values.
/// </summary>
internal sealed record Activation(int Channels, int Height, int Width, int Pad, long Offset)
{
    public bool IsImage => Offset < 0;
    public long PaddedWidth => Width + 2L * Pad;
    public long PaddedHeight => Height + 2L * Pad;
    public long Length => PaddedHeight * PaddedWidth * Channels;
}

/// <summary>An eval-mode BatchNorm by its member name and eps: its scale and shift come from the weights file.</summary>
internal sealed record BatchNormUse(string Name, double Eps);

/// <summary>An operation applied to a stage's results before they are stored.</summary>
internal abstract record EpilogueOp;

internal sealed record ReluOp : EpilogueOp;

/// <summary>Eval-mode BatchNorms in a row, composed into one per-channel scale and shift (fields scale{Id}, shift{Id}).</summary>
internal sealed record AffineOp(int Id, int Channels, EquatableArray<BatchNormUse> BatchNorms) : EpilogueOp;

/// <summary>
/// One step of the forward pass: reads <see cref="Input"/> (null for the image copy), writes <see cref="Output"/>, then
/// applies its epilogue; <see cref="Layers"/> are the declared layers it carries out, for the generated documentation.
/// </summary>
internal abstract record Stage(int Id, Activation? Input, Activation Output, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers)
{
    /// <summary>Which stage this is, for the writer's exhaustive switch (no discard arm: a new stage does not compile there
    /// until it has its call).</summary>
    public abstract StageKind Kind { get; }
}

/// <summary>The stage records, one name each.</summary>
internal enum StageKind
{
    Input,
    Convolution,
    Pool,
    GlobalAveragePool,
    Flatten,
    Elementwise,
    LogSoftmax,
}

/// <summary>The image, copied from the caller's [C, H, W] layout into a channels-last activation.</summary>
internal sealed record InputStage(int Id, Activation Output, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers)
    : Stage(Id, null, Output, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.Input;
}

/// <summary>
/// A convolution, or a Linear layer as a 1×1 convolution over a 1×1 map. BatchNorms directly after it (before any
/// ReLU) are folded into its weights and bias.
/// </summary>
internal sealed record ConvolutionStage(int Id, Activation? Input, Activation Output, EquatableArray<EpilogueOp> Epilogue,
    EquatableArray<string> Layers,
    string Name, bool IsLinear, int Kernel, int Stride, int Padding, bool Bias, EquatableArray<BatchNormUse> FoldedBatchNorms, int Groups = 1)
    : Stage(Id, Input, Output, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.Convolution;

    public int InChannels => Input!.Channels;
    public int OutChannels => Output.Channels;

    /// <summary>One filter per channel (<see cref="Groups"/>: a Conv2d's, 1 for Linear): runs the depthwise kernel
    /// instead of the dense one; other grouped stages load their weights block-diagonally into the dense
    /// layout.</summary>
    public bool IsDepthwise => Groups > 1 && Groups == InChannels && Groups == OutChannels;

    /// <summary>Output channels rounded up to whole 8-wide vectors: the weights' row length.</summary>
    public int PaddedOut => (OutChannels + 7) / 8 * 8;
}

internal sealed record PoolStage(int Id, Activation? Input, Activation Output, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers,
    bool IsMax, int Kernel, int Stride) : Stage(Id, Input, Output, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.Pool;
}

internal sealed record GlobalAveragePoolStage(int Id, Activation? Input, Activation Output, EquatableArray<EpilogueOp> Epilogue,
    EquatableArray<string> Layers)
    : Stage(Id, Input, Output, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.GlobalAveragePool;
}

/// <summary>A map to a vector in PyTorch's [C, H, W] order (the activations are channels-last, so this permutes).</summary>
internal sealed record FlattenStage(int Id, Activation? Input, Activation Output, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers)
    : Stage(Id, Input, Output, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.Flatten;
}

/// <summary>
/// An elementwise layer over every value, in place, by the kernel its record names (<see cref="Mnist.Dsl.Layers.ElementwiseLayer.InferenceKernel"/>:
/// LeakyReLU and the like): one stage for all of them, so a new such kind needs no stage of its own. (The fused epilogues
/// know only ReLU.)
/// </summary>
internal sealed record ElementwiseStage(int Id, Activation Activation, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers,
    Mnist.Dsl.Layers.LayerCall Kernel)
    : Stage(Id, Activation, Activation, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.Elementwise;
}

/// <summary>log_softmax over each pixel's channels, in place.</summary>
internal sealed record LogSoftmaxStage(int Id, Activation Activation, EquatableArray<EpilogueOp> Epilogue, EquatableArray<string> Layers)
    : Stage(Id, Activation, Activation, Epilogue, Layers)
{
    public override StageKind Kind => StageKind.LogSoftmax;
}
