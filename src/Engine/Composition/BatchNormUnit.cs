namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// BatchNorm2d ([C][H][W] per image) or BatchNorm1d ([C], plane 1) on its own. Forward: the chunk's sums | barrier |
/// normalise. Backward: the chunk's gradient sums | barrier | input gradient. Sums are per chunk (in double) and reduced
/// in chunk order, so the thread count does not change the bits.
/// </summary>
internal sealed unsafe class BatchNormUnit : TrainUnit
{
    private readonly string _name;
    private readonly int _channels, _height, _width, _rows;
    private readonly double _momentum, _eps;
    private readonly double* _sum, _squares, _sumDy, _sumDyXhat;
    private readonly float* _shifts;
    private readonly long* _counts;
    private readonly float*[] _mean, _inverseStd, _meanDy, _meanDyXhat;
    private readonly float* _runningMean, _runningVar;
    private int _gamma, _beta;

    private int Plane => _height * _width;

    public BatchNormUnit(string name, int channels, int height, int width, double momentum, double eps, int batch, int threads,
        int chunks, NativeArena arena)
    {
        _name = name;
        _channels = channels;
        _height = height;
        _width = width;
        _rows = chunks;
        _momentum = momentum;
        _eps = eps;
        InputSize = OutputSize = channels * height * width;
        Output = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * OutputSize + Conv2dGeometry.Slack);
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
        _gamma = layout.Add(_name + ".weight", _channels);
        _beta = layout.Add(_name + ".bias", _channels);
    }

    public override void Initialize(SplitMix64 random, float* parameters)
    {
        new Span<float>(parameters + _gamma, _channels).Fill(1f);
        new Span<float>(parameters + _beta, _channels).Clear();
    }

    public override IEnumerable<(string Name, nint Data, int Count)> Buffers =>
    [
        (_name + ".running_mean", (nint)_runningMean, _channels),
        (_name + ".running_var", (nint)_runningVar, _channels),
    ];

    public override void Forward(int phase, in ChunkWork work)
    {
        if (phase == 0)
        {
            double* sum = _sum + work.Chunk * _channels, squares = _squares + work.Chunk * _channels;
            float* shift = _shifts + work.Chunk * _channels;
            new Span<double>(sum, _channels).Clear();
            new Span<double>(squares, _channels).Clear();
            _counts[work.Chunk] = Math.Max(work.To - work.From, 0) * (long)Plane;
            if (work.To > work.From) BatchNormKernels.FirstValues(Input + (long)work.From * InputSize, _channels, Plane, shift);
            for (int i = work.From; i < work.To; i++)
                BatchNormKernels.AccumulateStatistics(Input + (long)i * InputSize, _channels, Plane, shift, sum, squares);
            return;
        }
        for (int i = work.From; i < work.To; i++)
            BatchNormKernels.Normalize(Input + (long)i * InputSize, Output + (long)i * OutputSize, _channels, Plane,
                _mean[work.Thread], _inverseStd[work.Thread], work.Parameters + _gamma, work.Parameters + _beta);
    }

    public override void FinishForward(int phase, int thread, int batch) =>
        BatchNormKernels.Statistics(_sum, _squares, _rows, _channels, (long)batch * Plane, _eps, _mean[thread], _inverseStd[thread],
            thread == 0 ? _runningMean : null, _runningVar, _momentum, _shifts, _counts);

    public override void Backward(int phase, in ChunkWork work)
    {
        int t = work.Thread;
        if (phase == 0)
        {
            double* sumDy = _sumDy + work.Chunk * _channels, sumDyXhat = _sumDyXhat + work.Chunk * _channels;
            new Span<double>(sumDy, _channels).Clear();
            new Span<double>(sumDyXhat, _channels).Clear();
            for (int i = work.From; i < work.To; i++)
                BatchNormKernels.AccumulateGradientSums(OutputGradient + (long)i * OutputSize, Input + (long)i * InputSize, _channels,
                    Plane, _mean[t], _inverseStd[t], sumDy, sumDyXhat);
            return;
        }
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
            BatchNormKernels.InputGradient(OutputGradient + (long)i * OutputSize, Input + (long)i * InputSize, _channels, _height, _width,
                _mean[t], _inverseStd[t], work.Parameters + _gamma, _meanDy[t], _meanDyXhat[t], reluBefore: false,
                InputGradient + (long)i * InputSize, Plane, _width);
    }

    public override void FinishBackward(int phase, int thread, int batch, float* sharedGradient) =>
        BatchNormKernels.GradientMeans(_sumDy, _sumDyXhat, _rows, _channels, (long)batch * Plane, _meanDy[thread], _meanDyXhat[thread],
            thread == 0 ? sharedGradient + _gamma : null, thread == 0 ? sharedGradient + _beta : null);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        BatchNormKernels.RunningStatistics(_runningMean, _runningVar, _channels, _eps, _mean[thread], _inverseStd[thread]);
        for (int i = from; i < to; i++)
            BatchNormKernels.Normalize(Input + (long)i * InputSize, Output + (long)i * OutputSize, _channels, Plane,
                _mean[thread], _inverseStd[thread], parameters + _gamma, parameters + _beta);
    }
}
