namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// BatchNorm2d ([C][H][W] per image) or BatchNorm1d ([C], plane 1) on its own. Forward: the chunk's sums | barrier |
/// normalise. Backward: the chunk's gradient sums | barrier | input gradient. Sums are per chunk (in double) and reduced
/// in chunk order, so the thread count does not change the bits.
/// </summary>
internal sealed unsafe class BatchNormUnit : MapUnit
{
    private readonly string _name;
    private readonly int _rows;
    private readonly double _momentum, _eps;
    private readonly double* _sum, _squares, _sumDy, _sumDyXhat;
    private readonly float* _shifts;
    private readonly long* _counts;
    private readonly float*[] _mean, _inverseStd, _meanDy, _meanDyXhat;
    private readonly float* _runningMean, _runningVar;
    private int _gamma, _beta;

    public BatchNormUnit(string name, int channels, int height, int width, double momentum, double eps, int batch, int threads,
        int chunks, NativeArena arena) : base(channels, height, width, channels * height * width, batch, arena)
    {
        _name = name;
        _rows = chunks;
        _momentum = momentum;
        _eps = eps;
        _sum = arena.Doubles(chunks * channels);
        _squares = arena.Doubles(chunks * channels);
        _shifts = arena.Floats(chunks * channels);
        _counts = arena.Longs(chunks);
        _sumDy = arena.Doubles(chunks * channels);
        _sumDyXhat = arena.Doubles(chunks * channels);
        _mean = new float*[threads];
        _inverseStd = new float*[threads];
        _meanDy = new float*[threads];
        _meanDyXhat = new float*[threads];
        for (int t = 0; t < threads; t++)
        {
            _mean[t] = arena.Floats(channels);
            _inverseStd[t] = arena.Floats(channels);
            _meanDy[t] = arena.Floats(channels);
            _meanDyXhat[t] = arena.Floats(channels);
        }
        _runningMean = arena.Floats(channels);
        _runningVar = arena.Floats(channels);
        new Span<float>(_runningVar, channels).Fill(1f);
    }

    public override int ForwardPhases => 2;

    public override int BackwardPhases => 2;

    public override void Register(ParameterLayout layout)
    {
        _gamma = layout.Add(_name + ".weight", Channels);
        _beta = layout.Add(_name + ".bias", Channels);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        new Span<float>(parameters + _gamma, Channels).Fill(1f);
        new Span<float>(parameters + _beta, Channels).Clear();
    }

    public override IEnumerable<(string Name, nint Data, int Count)> Buffers =>
    [
        (_name + ".running_mean", (nint)_runningMean, Channels),
        (_name + ".running_var", (nint)_runningVar, Channels),
    ];

    public override void Forward(int phase, in ChunkWork work)
    {
        if (phase == 0)
        {
            double* sum = _sum + work.Chunk * Channels, squares = _squares + work.Chunk * Channels;
            float* shift = _shifts + work.Chunk * Channels;
            new Span<double>(sum, Channels).Clear();
            new Span<double>(squares, Channels).Clear();
            _counts[work.Chunk] = Math.Max(work.To - work.From, 0) * (long)Plane;
            if (work.To > work.From) BatchNormKernels.FirstValues(Input + (long)work.From * InputSize, Channels, Plane, shift);
            for (int i = work.From; i < work.To; i++)
                BatchNormKernels.AccumulateStatistics(Input + (long)i * InputSize, Channels, Plane, shift, sum, squares);
            return;
        }
        for (int i = work.From; i < work.To; i++)
            BatchNormKernels.Normalize(Input + (long)i * InputSize, Output + (long)i * OutputSize, Channels, Plane,
                _mean[work.Thread], _inverseStd[work.Thread], work.Parameters + _gamma, work.Parameters + _beta);
    }

    public override void FinishForward(int phase, int thread, int batch) =>
        BatchNormKernels.Statistics(_sum, _squares, _rows, Channels, (long)batch * Plane, _eps, _mean[thread], _inverseStd[thread],
            thread == 0 ? _runningMean : null, _runningVar, _momentum, _shifts, _counts);

    public override void Backward(int phase, in ChunkWork work)
    {
        int t = work.Thread;
        if (phase == 0)
        {
            double* sumDy = _sumDy + work.Chunk * Channels, sumDyXhat = _sumDyXhat + work.Chunk * Channels;
            new Span<double>(sumDy, Channels).Clear();
            new Span<double>(sumDyXhat, Channels).Clear();
            for (int i = work.From; i < work.To; i++)
                BatchNormKernels.AccumulateGradientSums(OutputGradient + (long)i * OutputSize, Input + (long)i * InputSize, Channels,
                    Plane, _mean[t], _inverseStd[t], sumDy, sumDyXhat);
            return;
        }
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
            BatchNormKernels.InputGradient(OutputGradient + (long)i * OutputSize, Input + (long)i * InputSize, Channels, Height, Width,
                _mean[t], _inverseStd[t], work.Parameters + _gamma, _meanDy[t], _meanDyXhat[t], reluBefore: false,
                InputGradient + (long)i * InputSize, Plane, Width);
    }

    public override void FinishBackward(int phase, int thread, int batch, float* sharedGradient) =>
        BatchNormKernels.GradientMeans(_sumDy, _sumDyXhat, _rows, Channels, (long)batch * Plane, _meanDy[thread], _meanDyXhat[thread],
            thread == 0 ? sharedGradient + _gamma : null, thread == 0 ? sharedGradient + _beta : null);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        BatchNormKernels.RunningStatistics(_runningMean, _runningVar, Channels, _eps, _mean[thread], _inverseStd[thread]);
        for (int i = from; i < to; i++)
            BatchNormKernels.Normalize(Input + (long)i * InputSize, Output + (long)i * OutputSize, Channels, Plane,
                _mean[thread], _inverseStd[thread], parameters + _gamma, parameters + _beta);
    }
}
