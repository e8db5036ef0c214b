namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// Conv2d (any stride, padding, bias) → ReLU → BatchNorm2d, or Conv2d → BatchNorm2d → ReLU, then Dropout(p) or
/// Dropout2d(p) (p may be 0: no dropout layer), fused as <see cref="ConvReluBatchNormBlock{TV,TOps}"/> does it: the block
/// users write and most of a step's time.
/// Forward: convolution, ReLU and the chunk's statistics | barrier | normalisation and dropout. Backward: dropout's
/// backward and the chunk's gradient sums | barrier | BatchNorm + ReLU input gradient and the convolution's backward.
/// </summary>
internal sealed unsafe class ConvReluBatchNormUnit<TV, TOps> : TrainUnit
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly string _conv, _batchNorm;
    private readonly int _dropoutLayer;
    private readonly float* _runningMean, _runningVar;
    private int _weight, _bias = -1, _gamma, _beta;

    public ConvReluBatchNormBlock<TV, TOps> Block { get; }

    public ConvReluBatchNormUnit(string conv, string batchNorm, Conv2dGeometry geometry, double momentum, double eps,
        double dropout, int dropoutLayer, int batch, int threads, int chunks, NativeArena arena, bool reluAfterBatchNorm = false,
        bool channelDropout = false)
    {
        if (geometry.Groups != 1)
            throw new ArgumentException(
                $"{conv}: the fused Conv2d-ReLU-BatchNorm2d block has no grouped convolution; use Conv2d (groups {geometry.Groups}), " +
                $"ReLU and BatchNorm2d units");
        _conv = conv;
        _batchNorm = batchNorm;
        _dropoutLayer = dropoutLayer;
        Block = new ConvReluBatchNormBlock<TV, TOps>(geometry, batch, threads, chunks, dropout, arena, reluAfterBatchNorm,
            channelDropout) { Momentum = momentum, Epsilon = eps };
        InputSize = geometry.InputSize;
        OutputSize = Block.ImageSize;
        Output = Block.Output;
        OutputGradient = Block.OutputGradient;
        _runningMean = arena.Floats(Block.Channels);
        _runningVar = arena.Floats(Block.Channels);
        new Span<float>(_runningVar, Block.Channels).Fill(1f);
    }

    public override int ForwardPhases => 2;

    public override int BackwardPhases => 2;

    public override void Register(ParameterLayout layout)
    {
        _weight = layout.Add(_conv + ".weight", Block.Conv.Geometry.WeightCount);
        if (Block.Conv.Geometry.Bias) _bias = layout.Add(_conv + ".bias", Block.Channels);
        _gamma = layout.Add(_batchNorm + ".weight", Block.Channels);
        _beta = layout.Add(_batchNorm + ".bias", Block.Channels);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        var g = Block.Conv.Geometry;
        // Conv2dUnit's draws, in its order: the weight, then the bias.
        double bound = 1.0 / Math.Sqrt(g.InChannels * g.Taps);
        Uniform(random, parameters + _weight, g.WeightCount, bound);
        if (_bias >= 0) Uniform(random, parameters + _bias, Block.Channels, bound);
        new Span<float>(parameters + _gamma, Block.Channels).Fill(1f);
        new Span<float>(parameters + _beta, Block.Channels).Clear();
    }

    public override IEnumerable<(string Name, nint Data, int Count)> Buffers =>
    [
        (_batchNorm + ".running_mean", (nint)_runningMean, Block.Channels),
        (_batchNorm + ".running_var", (nint)_runningVar, Block.Channels),
    ];

    public override bool NeedsPacking => true;

    public override void Pack(float* parameters) => Block.Pack(parameters + _weight);

    public override long MultiplyAdds => Block.Conv.Geometry.MultiplyAdds;

    public override void Forward(int phase, in ChunkWork work)
    {
        if (phase == 0) Block.ForwardConvolution(Input, work.From, work.To, work.Chunk, work.Thread, Bias(work.Parameters));
        else Block.Normalize(work.From, work.To, work.Thread, work.Parameters + _gamma, work.Parameters + _beta,
            DropoutMask.Key(work.Seed, work.Step, _dropoutLayer));
    }

    public override void FinishForward(int phase, int thread, int batch) => Block.FinishStatistics(batch, thread, _runningMean, _runningVar);

    public override void Backward(int phase, in ChunkWork work)
    {
        if (phase == 0) Block.BackwardSums(work.From, work.To, work.Chunk, work.Thread, DropoutMask.Key(work.Seed, work.Step, _dropoutLayer));
        else Block.BackwardConvolution(Input, InputGradient, work.From, work.To, work.Thread, work.Parameters + _gamma, work.Gradient + _weight,
            Bias(work.Gradient));
    }

    public override void FinishBackward(int phase, int thread, int batch, float* sharedGradient) =>
        Block.FinishGradientSums(batch, thread, sharedGradient + _gamma, sharedGradient + _beta);

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        Block.ForwardEvaluation(Input, from, to, thread, parameters + _gamma, parameters + _beta, _runningMean, _runningVar, Bias(parameters));

    /// <summary>The bias in a parameter (or gradient) vector; null for a convolution without one.</summary>
    private float* Bias(float* vector) => _bias >= 0 ? vector + _bias : null;
}
