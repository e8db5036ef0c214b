using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Parallel;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A network's training step composed from <see cref="TrainUnit"/>s (what a generated trainer builds from its
/// <see cref="TrainerBlueprint"/>). The batch is cut into fixed chunks of <see cref="ChunkSize"/> images that the
/// threads take as they come free; the units' phases run in segments that end where the batch couples (BatchNorm),
/// a segment running every phase it holds on one chunk before taking the next (forward: the previous BatchNorm's
/// normalisation, the layers after it, the next one's sums; the loss's forward and the last units' backward share a
/// segment). Every sum is kept per chunk and reduced in chunk order, so the result depends on the seed only, not on
/// the thread count or the timing; nothing is allocated per step.
/// </summary>
internal sealed unsafe class ComposedTrainer<TV, TOps> : ITrainer
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>Images per chunk: the unit of work a thread takes, and a row of every partial-sum table.</summary>
    public const int ChunkSize = 8;

    private readonly NativeArena _arena = new();
    private readonly WorkerTeam _team;
    private readonly Action<int> _trainBody, _evaluateBody;
    private readonly TrainUnit[] _units;
    private readonly TrainUnit[] _packed;
    private readonly LossUnit _loss;
    private readonly Segment[] _segments;
    private readonly int[] _nextChunk;
    private readonly int _chunks, _inputSize, _classes;
    private readonly float* _input, _parameters, _gradient;
    private readonly int* _labels;
    private readonly float** _optimizerState;
    private readonly float*[] _chunkGradients;
    private readonly double[] _chunkLoss;
    private readonly Dictionary<string, (nint Data, int Count)> _buffers = new();
    private readonly ulong _seed;
    private int _evaluationCount;

    public ComposedTrainer(TrainerBlueprint blueprint, TrainerOptions options)
    {
        int batch = options.BatchSize, threads = options.Threads;
        if (batch < 2 || threads < 1 || threads > batch)
            throw new ArgumentException(
                $"{blueprint.Network}: batch {batch} on {threads} threads; a step needs batch >= 2 (BatchNorm's statistics) " +
                $"and 1 <= threads <= batch");
        Network = blueprint.Network;
        BatchSize = batch;
        Threads = threads;
        Optimizer = options.Optimizer ?? throw new ArgumentNullException(nameof(options), "TrainerOptions.Optimizer is null: pass an Sgd or Adam");
        _seed = options.Seed;
        _inputSize = blueprint.InputSize;
        _classes = blueprint.Classes;
        _chunks = (batch + ChunkSize - 1) / ChunkSize;
        _chunkLoss = new double[_chunks];

        var context = new TrainerBlueprint.UnitContext(batch, threads, _chunks, options.DropoutOverride, _arena);
        _input = _arena.Floats((long)batch * _inputSize + Conv2dGeometry.Slack);
        _labels = _arena.Ints(batch);
        var units = blueprint.Units.Select(spec => spec.Build<TV, TOps>(context)).ToList();
        _loss = new LossUnit(_classes, batch, _labels, _chunkLoss, _arena);
        units.Add(_loss);
        _units = units.ToArray();
        // A unit's input gradient is needed only where some unit before it has parameters: the gradient of the
        // parameter-free units at the front (a LogSoftmax, ReLU or pooling on the input) reaches no parameter, so their
        // backward is skipped and the unit after them computes no input gradient. The loss writes its gradient anyway.
        bool parametersBefore = false;
        for (int i = 0; i < _units.Length; i++)
        {
            _units[i].Input = i == 0 ? _input : _units[i - 1].Output;
            _units[i].InputGradient = i > 0 && (parametersBefore || _units[i] == _loss) ? _units[i - 1].OutputGradient : null;
            int before = Layout.Count;
            _units[i].Register(Layout);
            parametersBefore |= Layout.Count > before;
        }
        // A network of parameter-free reshaping only (Flatten): the loss is the first unit and still writes its gradient.
        if (_units.Length == 1) _loss.InputGradient = _arena.Floats((long)batch * _classes);
        _packed = _units.Where(u => u.NeedsPacking).ToArray();

        foreach (var unit in _units)
            foreach (var (name, data, count) in unit.Buffers) _buffers.Add(name, (data, count));
        BufferNames = _units.SelectMany(u => u.Buffers.Select(b => b.Name)).ToArray();

        _parameters = _arena.Floats(Layout.Count);
        _gradient = _arena.Floats(Layout.Count);
        _optimizerState = (float**)_arena.Floats(2 * Math.Max(1, Optimizer.StateBuffers));
        for (int i = 0; i < Optimizer.StateBuffers; i++) _optimizerState[i] = _arena.Floats(Layout.Count);
        // One gradient accumulator per chunk, and one more for what thread 0 adds once per step (BatchNorm's gamma and beta).
        _chunkGradients = new float*[_chunks + 1];
        for (int c = 0; c <= _chunks; c++) _chunkGradients[c] = _arena.Floats(Layout.Count);

        _segments = Program(_units);
        _nextChunk = new int[_segments.Length];
        var random = new SplitMix64(options.Seed);
        foreach (var unit in _units) unit.Initialize(random, _parameters);
        _team = new WorkerTeam(threads);
        // Every kernel on the trainer's threads runs at its width, not only the width-generic convolutions.
        var width = SimdWidths.For(options.Width);
        _trainBody = t => { using var _ = VectorPaths.Use(width); TrainSlice(t); };
        _evaluateBody = t => { using var _ = VectorPaths.Use(width); EvaluateSlice(t); };
    }

    /// <summary>The network's name, for messages.</summary>
    public string Network { get; }

    public int BatchSize { get; }

    public int Threads { get; }

    public ParameterLayout Layout { get; } = new();

    public IOptimizer Optimizer { get; }

    public long Steps { get; set; }

    public long BatchesTracked { get; set; }

    public IReadOnlyList<string> BufferNames { get; }

    public Span<float> Parameters => new(_parameters, Layout.Count);

    /// <summary>The last step's gradient of every parameter, flat and parallel to <see cref="Parameters"/> (valid until the next step).</summary>
    public ReadOnlySpan<float> Gradients => new(_gradient, Layout.Count);

    public ReadOnlySpan<float> LogProbabilities => new(_loss.LogProbabilities, BatchSize * _classes);

    public long ForwardMultiplyAdds => _units.Sum(u => u.MultiplyAdds);

    /// <summary>How many barriers a step crosses (two per BatchNorm, two to reduce and update).</summary>
    public int BarriersPerStep => _segments.Length + 1;

    public long WorkerAllocatedBytes(int member) => member == 0 ? GC.GetAllocatedBytesForCurrentThread() : _team.AllocatedBytes(member);

    public void ParametersChanged()
    {
        foreach (var unit in _packed) unit.Pack(_parameters);
    }

    public Span<float> Buffer(string name) =>
        _buffers.TryGetValue(name, out var b) ? new Span<float>((float*)b.Data, b.Count)
            : throw new KeyNotFoundException($"{Network} has no buffer named '{name}'; its buffers are: {string.Join(", ", BufferNames)}");

    public Span<float> OptimizerState(int index) =>
        (uint)index < (uint)Optimizer.StateBuffers ? new Span<float>(_optimizerState[index], Layout.Count)
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"the optimizer has {Optimizer.StateBuffers} state buffers");

    public float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels)
    {
        ParameterLayout.CheckLength("images", BatchSize * _inputSize, images.Length);
        ParameterLayout.CheckLength("labels", BatchSize, labels.Length);
        for (int i = 0; i < BatchSize; i++)
            if ((uint)labels[i] >= (uint)_classes)
                throw new ArgumentOutOfRangeException(nameof(labels), labels[i], $"{Network} has {_classes} classes: labels are 0 to {_classes - 1}");
        images.CopyTo(new Span<float>(_input, images.Length));
        labels.CopyTo(new Span<int>(_labels, BatchSize));
        if (Steps == 0) ParametersChanged();
        Array.Clear(_nextChunk);
        _team.Run(_trainBody);
        Steps++;
        BatchesTracked++;
        Optimizer.EndStep();
        double loss = 0;
        foreach (var l in _chunkLoss) loss += l;
        return (float)(loss / BatchSize);
    }

    public void Evaluate(ReadOnlySpan<float> images)
    {
        int count = images.Length / _inputSize;
        if (count * _inputSize != images.Length || count < 1 || count > BatchSize)
            throw new ArgumentException($"images: expected 1 to {BatchSize} images of {_inputSize} floats, got {images.Length} floats");
        images.CopyTo(new Span<float>(_input, images.Length));
        if (Steps == 0) ParametersChanged();
        _evaluationCount = count;
        _team.Run(_evaluateBody);
    }

    private void TrainSlice(int t)
    {
        float* shared = _chunkGradients[_chunks];
        StepProfile.Start(t);
        bool backward = false;
        for (int s = 0; s < _segments.Length; s++)
        {
            var segment = _segments[s];
            while (true)
            {
                int chunk = Interlocked.Increment(ref _nextChunk[s]) - 1;
                if (chunk >= _chunks) break;
                int from = chunk * ChunkSize, to = Math.Min(from + ChunkSize, BatchSize);
                var work = new ChunkWork(from, to, chunk, t, _parameters, _chunkGradients[chunk], _seed, Steps);
                foreach (var action in segment.Actions)
                {
                    long since = StepProfile.Now(t);
                    if (action.Forward) action.Unit.Forward(action.Phase, work);
                    else action.Unit.Backward(action.Phase, work);
                    StepProfile.Charge(t, action.Label, since);
                }
            }
            backward |= !segment.Actions[^1].Forward;
            StepProfile.Mark(t, backward ? StepProfile.Phase.Backward : StepProfile.Phase.Forward);
            _team.Barrier();
            StepProfile.Mark(t, StepProfile.Phase.BarrierWait);
            if (segment.Finish is { } finish)
            {
                if (finish.Forward) finish.Unit.FinishForward(finish.Phase, t, BatchSize);
                else finish.Unit.FinishBackward(finish.Phase, t, BatchSize, shared);
            }
        }

        // Reduce the chunks' gradients in chunk order (clearing them for the next step), update this thread's slice.
        var (p0, p1) = Layout.Range(t, Threads);
        new Span<float>(_gradient + p0, p1 - p0).Clear();
        for (int c = 0; c <= _chunks; c++) ReductionKernels.AddAndClear(_chunkGradients[c], _gradient, p0, p1);
        Optimizer.Update(_parameters, _gradient, _optimizerState, p0, p1);
        _team.Barrier();
        for (int i = t; i < _packed.Length; i += Threads) _packed[i].Pack(_parameters);
        StepProfile.Mark(t, StepProfile.Phase.ReduceUpdatePack);
    }

    private void EvaluateSlice(int t)
    {
        int from = _evaluationCount * t / Threads, to = _evaluationCount * (t + 1) / Threads;
        if (from == to) return;
        foreach (var unit in _units) unit.Evaluate(from, to, t, _parameters);
    }

    /// <summary>
    /// The step's segments: every unit's forward phases in order, then every unit's backward phases in reverse order,
    /// cut after each phase that a barrier must end (all but a unit's last), with that unit's finishing call.
    /// </summary>
    private static Segment[] Program(TrainUnit[] units)
    {
        var segments = new List<Segment>();
        var actions = new List<Action>();
        void Cut(Action? finish)
        {
            segments.Add(new Segment(actions.ToArray(), finish));
            actions.Clear();
        }
        for (int u = 0; u < units.Length; u++)
            for (int phase = 0; phase < units[u].ForwardPhases; phase++)
            {
                actions.Add(new Action(units[u], u, true, phase));
                if (phase < units[u].ForwardPhases - 1) Cut(new Action(units[u], u, true, phase));
            }
        for (int i = units.Length - 1; i >= 0; i--)
            for (int phase = 0; phase < units[i].BackwardPhases; phase++)
            {
                actions.Add(new Action(units[i], i, false, phase));
                if (phase < units[i].BackwardPhases - 1) Cut(new Action(units[i], i, false, phase));
            }
        Cut(null);
        return segments.ToArray();
    }

    private readonly record struct Action(TrainUnit Unit, int Index, bool Forward, int Phase)
    {
        /// <summary>How the step profile names it: "3 ConvReluBatchNormUnit forward 1".</summary>
        public string Label { get; } = $"{Index} {Unit.GetType().Name.Split('`')[0]} {(Forward ? "forward" : "backward")} {Phase}";
    }

    private sealed record Segment(Action[] Actions, Action? Finish);

    public void Dispose()
    {
        _team.Dispose();
        _arena.Dispose();
    }
}
