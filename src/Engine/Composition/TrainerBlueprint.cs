namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A network's training step: the layers in order, with their sizes, dropout probabilities and state-dict names,
/// independent of the vector width. The generator writes one as literal calls (a network's <c>Trainer.Blueprint</c>);
/// <see cref="For"/> makes the same calls for a network declared at run time; both follow <c>EngineLowering</c>.
/// <see cref="Create"/> builds the <see cref="ComposedTrainer{TV,TOps}"/> for the processor. The blueprint follows the shape through the layers and
/// throws, naming the layer, when a declared size does not fit what arrives: generated code never does that, hand-written
/// code learns of a mistake at construction instead of as wrong numbers. An elementwise kind's method is in its unit's
/// file (a part of this partial class: LeakyReluUnit.cs), so adding such a kind does not touch this one.
/// </summary>
public sealed partial class TrainerBlueprint
{
    private readonly List<UnitSpec> _units = new();
    private int _channels, _height, _width, _dropouts;
    private bool _flat, _closed;

    public TrainerBlueprint(string network, int channels, int height, int width, int classes)
    {
        Network = network;
        InputChannels = _channels = channels;
        InputHeight = _height = height;
        InputWidth = _width = width;
        Classes = classes;
    }

    public string Network { get; }

    public int InputChannels { get; }

    public int InputHeight { get; }

    public int InputWidth { get; }

    public int Classes { get; }

    /// <summary>Floats per input image.</summary>
    public int InputSize => InputChannels * InputHeight * InputWidth;

    /// <summary>True when the last layer is LogSoftmax (LogSoftmax + NLL loss); false: logits with cross-entropy.</summary>
    public bool EndsInLogSoftmax { get; private set; }

    internal IReadOnlyList<UnitSpec> Units => _units;

    /// <summary>Every convolution's geometry in order (fused ones included), at vector width 1: what benchmarks time one layer on.</summary>
    internal IReadOnlyList<Conv2dGeometry> Convolutions => _units.Select(u => u switch
    {
        ConvSpec c => c.Geometry,
        FusedSpec f => f.Geometry,
        _ => null,
    }).OfType<Conv2dGeometry>().ToList();

    private int Size => _channels * _height * _width;

    /// <summary>
    /// A Conv2d on its own (any stride, padding, bias, groups) on the map that arrives; <paramref name="name"/> is its state-dict
    /// prefix and <paramref name="inChannels"/> is checked against what arrives; <paramref name="groups"/> must divide both channel counts.
    /// </summary>
    public TrainerBlueprint Conv2d(string name, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias, int groups = 1)
    {
        var g = Geometry(name, inChannels, outChannels, kernel, stride, padding, bias, groups);
        _units.Add(new ConvSpec(name, g));
        return MapTo(g.OutChannels, g.OutHeight, g.OutWidth);
    }

    /// <summary>
    /// Conv2d → ReLU → BatchNorm2d → Dropout(<paramref name="dropout"/>; 0 when none follows; Dropout2d when
    /// <paramref name="channelDropout"/>), fused.
    /// </summary>
    public TrainerBlueprint ConvReluBatchNorm2d(string conv, string batchNorm, int inChannels, int outChannels, int kernel, int padding,
        double momentum, double eps, double dropout = 0, int stride = 1, bool bias = false, bool channelDropout = false) =>
        Fused(conv, batchNorm, inChannels, outChannels, kernel, stride, padding, bias, momentum, eps, dropout, channelDropout, false);

    /// <summary>Conv2d → BatchNorm2d → ReLU → Dropout(<paramref name="dropout"/>) or Dropout2d, fused: as
    /// <see cref="ConvReluBatchNorm2d"/> with the ReLU after the BatchNorm.</summary>
    public TrainerBlueprint ConvBatchNormRelu2d(string conv, string batchNorm, int inChannels, int outChannels, int kernel, int padding,
        double momentum, double eps, double dropout = 0, int stride = 1, bool bias = false, bool channelDropout = false) =>
        Fused(conv, batchNorm, inChannels, outChannels, kernel, stride, padding, bias, momentum, eps, dropout, channelDropout, true);

    private TrainerBlueprint Fused(string conv, string batchNorm, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias,
        double momentum, double eps, double dropout, bool channelDropout, bool reluAfterBatchNorm)
    {
        var g = Geometry(conv, inChannels, outChannels, kernel, stride, padding, bias);
        _units.Add(new FusedSpec(conv, batchNorm, g, momentum, eps, dropout, dropout > 0 ? _dropouts++ : -1, reluAfterBatchNorm, channelDropout));
        return MapTo(g.OutChannels, g.OutHeight, g.OutWidth);
    }

    public TrainerBlueprint BatchNorm2d(string name, double momentum, double eps)
    {
        Expect(!_flat, name, "BatchNorm2d needs a [C, H, W] input");
        _units.Add(new BatchNormSpec(name, _channels, _height, _width, momentum, eps));
        return this;
    }

    public TrainerBlueprint BatchNorm1d(string name, double momentum, double eps)
    {
        Expect(_flat, name, "BatchNorm1d needs a flat input");
        _units.Add(new BatchNormSpec(name, _channels, 1, 1, momentum, eps));
        return this;
    }

    public TrainerBlueprint ReLU()
    {
        _units.Add(new ReluSpec(Size));
        return this;
    }

    public TrainerBlueprint Dropout(double p)
    {
        _units.Add(new DropoutSpec(p, 0, _dropouts++, Size));
        return this;
    }

    public TrainerBlueprint Dropout2d(double p)
    {
        Expect(!_flat, "Dropout2d", "Dropout2d needs a [C, H, W] input");
        _units.Add(new DropoutSpec(p, _channels, _dropouts++, Size));
        return this;
    }

    public TrainerBlueprint MaxPool2d(int kernel, int stride) => Pool(true, kernel, stride);

    public TrainerBlueprint AvgPool2d(int kernel, int stride) => Pool(false, kernel, stride);

    public TrainerBlueprint GlobalAvgPool2d()
    {
        Expect(!_flat, "GlobalAvgPool2d", "global average pooling needs a [C, H, W] input");
        _units.Add(new GlobalPoolSpec(_channels, _height, _width));
        return MapTo(_channels, 1, 1);
    }

    /// <summary>Free: NCHW images are already flat.</summary>
    public TrainerBlueprint Flatten()
    {
        _channels = Size;
        _height = _width = 1;
        _flat = true;
        return this;
    }

    public TrainerBlueprint Linear(string name, int inFeatures, int outFeatures, bool bias)
    {
        Expect(inFeatures == Size, name, $"Linear takes {inFeatures} features but {Size} arrive");
        _units.Add(new LinearSpec(name, inFeatures, outFeatures, bias));
        _channels = outFeatures;
        _height = _width = 1;
        _flat = true;
        return this;
    }

    /// <summary>A unit of the engine's own that keeps the shape (the worker-fault tests insert one that throws).</summary>
    internal TrainerBlueprint ShapeKeeping(UnitSpec unit)
    {
        Expect(true, unit.GetType().Name, "");
        _units.Add(unit);
        return this;
    }

    /// <summary>LogSoftmax over dimension 1 before the last layer: a vector's features, or a map's channels at each pixel.</summary>
    public TrainerBlueprint LogSoftmax()
    {
        _units.Add(new LogSoftmaxSpec(_channels, _height * _width));
        return this;
    }

    /// <summary>Ends the network in LogSoftmax over the classes; the loss is NLL on it.</summary>
    public TrainerBlueprint LogSoftmaxNllLoss() => Close(true);

    /// <summary>Ends the network in logits; the loss is cross-entropy on them.</summary>
    public TrainerBlueprint CrossEntropyLoss() => Close(false);

    /// <summary>The trainer at the options' vector width (the widest this processor accelerates when not given).</summary>
    public ITrainer Create(TrainerOptions options)
    {
        if (!_closed)
            throw new InvalidOperationException($"{Network}'s blueprint has no loss: end it with LogSoftmaxNllLoss() or CrossEntropyLoss()");
        return SimdWidths.For(options.Width) switch
        {
            SimdWidth.Bits512 => new ComposedTrainer<System.Runtime.Intrinsics.Vector512<float>, Vec512>(this, options),
            SimdWidth.Bits256 => new ComposedTrainer<System.Runtime.Intrinsics.Vector256<float>, Vec256>(this, options),
            SimdWidth.Scalar => new ComposedTrainer<float, VecScalar>(this, options),
            var other => throw new ArgumentOutOfRangeException(nameof(options), other, "no such vector width"),
        };
    }

    private TrainerBlueprint Close(bool logSoftmax)
    {
        Expect(Size == Classes, "loss", $"the network's output has {Size} values per image, not one per class ({Classes})");
        EndsInLogSoftmax = logSoftmax;
        _closed = true;
        return this;
    }

    private TrainerBlueprint Pool(bool max, int kernel, int stride)
    {
        string kind = max ? "MaxPool2d" : "AvgPool2d";
        Expect(!_flat && kernel <= _height && kernel <= _width && stride >= 1, kind, $"kernel {kernel}, stride {stride} on {_height}x{_width}");
        _units.Add(new PoolSpec(max, _channels, _height, _width, kernel, stride));
        return MapTo(_channels, (_height - kernel) / stride + 1, (_width - kernel) / stride + 1);
    }

    private Conv2dGeometry Geometry(string name, int inChannels, int outChannels, int kernel, int stride, int padding, bool bias, int groups = 1)
    {
        Expect(!_flat && inChannels == _channels, name, $"takes {inChannels} channels but [{_channels}, {_height}, {_width}] arrives");
        Expect(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0, name,
            $"groups {groups} must divide both {inChannels} and {outChannels} channels");
        var g = new Conv2dGeometry(inChannels, outChannels, _height, _width, kernel, stride, padding, bias, 1) { Groups = groups };
        g.Validate();
        return g;
    }

    private TrainerBlueprint MapTo(int channels, int height, int width)
    {
        _channels = channels;
        _height = height;
        _width = width;
        _flat = false;
        return this;
    }

    private void Expect(bool condition, string layer, string problem)
    {
        if (_closed) throw new InvalidOperationException($"{Network}: {layer} comes after the loss; the loss ends the blueprint");
        if (!condition) throw new ArgumentException($"{Network}.{layer}: {problem}");
    }

    /// <summary>How to build one unit at a vector width; the trainer wires the buffers.</summary>
    internal abstract record UnitSpec
    {
        public abstract TrainUnit Build<TV, TOps>(in UnitContext context)
            where TV : struct where TOps : struct, IVectorOps<TV>;
    }

    internal readonly record struct UnitContext(int Batch, int Threads, int Chunks, double? Dropout, NativeArena Arena);

    private sealed record ConvSpec(string Name, Conv2dGeometry Geometry) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) =>
            new Conv2dUnit<TV, TOps>(Name, Geometry with { VectorWidth = TOps.Count }, c.Batch, c.Threads, c.Arena);
    }

    private sealed record FusedSpec(string Conv, string BatchNorm, Conv2dGeometry Geometry, double Momentum, double Eps, double Dropout, int Layer,
        bool ReluAfterBatchNorm, bool ChannelDropout) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) =>
            new ConvReluBatchNormUnit<TV, TOps>(Conv, BatchNorm, Geometry with { VectorWidth = TOps.Count }, Momentum, Eps,
                Dropout > 0 ? c.Dropout ?? Dropout : 0, Layer, c.Batch, c.Threads, c.Chunks, c.Arena, ReluAfterBatchNorm, ChannelDropout);
    }

    private sealed record BatchNormSpec(string Name, int Channels, int Height, int Width, double Momentum, double Eps) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) =>
            new BatchNormUnit(Name, Channels, Height, Width, Momentum, Eps, c.Batch, c.Threads, c.Chunks, c.Arena);
    }

    private sealed record ReluSpec(int Size) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new ReluUnit(Size, c.Batch, c.Arena);
    }

    private sealed record DropoutSpec(double P, int Channels, int Layer, int Size) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new DropoutUnit(c.Dropout ?? P, Channels, Layer, Size, c.Batch, c.Arena);
    }

    private sealed record PoolSpec(bool Max, int Channels, int Height, int Width, int Kernel, int Stride) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) =>
            new PoolUnit<TV, TOps>(Max, Channels, Height, Width, Kernel, Stride, c.Batch, c.Threads, c.Arena);
    }

    private sealed record GlobalPoolSpec(int Channels, int Height, int Width) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new GlobalAvgPoolUnit(Channels, Height, Width, c.Batch, c.Arena);
    }

    private sealed record LogSoftmaxSpec(int Channels, int Plane) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new LogSoftmaxUnit(Channels, Plane, c.Batch, c.Arena);
    }

    private sealed record LinearSpec(string Name, int InFeatures, int OutFeatures, bool Bias) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) =>
            new LinearUnit(Name, InFeatures, OutFeatures, Bias, c.Batch, c.Threads, c.Arena);
    }
}
