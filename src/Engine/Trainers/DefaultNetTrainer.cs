using System;
using System.Collections.Generic;
using System.Threading;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Parallel;
using Mnist.Dsl.Engine.Simd;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// Mnist.Models.DefaultNet's training step composed by hand from the engine's kernels, as the generator will emit
/// it: [Conv 16, ReLU, BN, Drop .05] [Conv 24, ReLU, BN, Drop .05] MaxPool 2, Conv1x1 12, [Conv 16 ...] [Conv 24 ...]
/// [Conv 32, ReLU, BN], GAP, Linear 10, LogSoftmax, NLL (mean), SGD or Adam.
/// The batch is cut into fixed chunks of <see cref="ChunkSize"/> images that the threads take as they come free
/// (a thread descheduled by a neighbour no longer holds its whole share of the batch hostage at the next barrier).
/// Between two barriers a chunk runs everything that needs no batch-wide result: e.g. BatchNorm 1's normalisation,
/// dropout and convolution 2 for its images. Sums (BatchNorm statistics, gradient sums, parameter gradients, loss)
/// are kept per chunk and reduced in chunk order, so the result depends on the seed only: not on the timing, not on
/// the thread count. Nothing is allocated per step.
/// </summary>
public sealed unsafe class DefaultNetTrainer<TV, TOps> : ITrainer
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private const int Classes = 10;
    private const int ImageSize = 28 * 28;

    private readonly NativeArena _arena = new();
    private readonly WorkerTeam _team;
    private readonly Action<int> _trainBody;
    private readonly Action<int> _evaluateBody;
    private readonly ConvReluBatchNormBlock<TV, TOps>[] _blocks;
    private readonly Conv2dLayer<TV, TOps> _squeeze;
    private readonly Conv2dLayer<TV, TOps>[] _convolutions;
    private readonly int[] _weightOffsets;
    private readonly int[] _gammaOffsets, _betaOffsets;
    private readonly float*[] _runningMean, _runningVar;
    private readonly float* _input, _pooled, _squeezed, _squeezedGradient, _features, _logProbabilities;
    private readonly byte* _argmax;
    private readonly int* _labels;
    private readonly float* _parameters;
    private readonly float** _optimizerState;
    private readonly float*[] _chunkGradients, _pooledGradient, _logits, _logitGradient, _featureGradient;
    private readonly float* _gradient;
    private readonly double[] _chunkLoss;
    private readonly int[] _nextChunk;
    private readonly int _chunks;
    private readonly int _fcWeight, _fcBias;
    private readonly ulong _seed;
    private int _evaluationCount;

    /// <summary>Images per chunk: the unit of work a thread takes, and the weight-gradient group of the small layers.</summary>
    public const int ChunkSize = 8;

    public int BatchSize { get; }

    public int Threads { get; }

    public ParameterLayout Layout { get; } = new();

    public IOptimizer Optimizer { get; }

    public long Steps { get; set; }

    /// <summary>Bytes allocated so far by each worker thread (index 0 is the caller's thread: see GC.GetAllocatedBytesForCurrentThread).</summary>
    public long WorkerAllocatedBytes(int member) => member == 0 ? GC.GetAllocatedBytesForCurrentThread() : _team.AllocatedBytes(member);

    /// <summary>BatchNorm's num_batches_tracked (the same for every BatchNorm layer).</summary>
    public long BatchesTracked { get; set; }

    public DefaultNetTrainer(int batchSize, int threads, ulong seed, IOptimizer optimizer, double dropout = 0.05)
    {
        if (batchSize < 2 || threads < 1 || threads > batchSize)
            throw new ArgumentException($"batch {batchSize} on {threads} threads: need batch >= 2 and 1 <= threads <= batch");
        BatchSize = batchSize;
        Threads = threads;
        Optimizer = optimizer;
        _seed = seed;
        Dropout = dropout;
        int v = TOps.Count;
        _chunks = (batchSize + ChunkSize - 1) / ChunkSize;
        _blocks =
        [
            new(Conv2dGeometry.Of<DefaultConv1>(v), batchSize, threads, _chunks, dropout, _arena),
            new(Conv2dGeometry.Of<DefaultConv2>(v), batchSize, threads, _chunks, dropout, _arena),
            new(Conv2dGeometry.Of<DefaultConv4>(v), batchSize, threads, _chunks, dropout, _arena),
            new(Conv2dGeometry.Of<DefaultConv5>(v), batchSize, threads, _chunks, dropout, _arena),
            new(Conv2dGeometry.Of<DefaultConv6>(v), batchSize, threads, _chunks, 0.0, _arena),
        ];
        _squeeze = new Conv2dLayer<TV, TOps>(Conv2dGeometry.Of<DefaultConv3>(v), threads, _arena);
        _convolutions = [_blocks[0].Conv, _blocks[1].Conv, _squeeze, _blocks[2].Conv, _blocks[3].Conv, _blocks[4].Conv];

        // State-dict names of tests/python/sample_networks.py's DefaultNet (layers.N is the Nth module of its list).
        string[] convNames = ["layers.0", "layers.4", "layers.9", "layers.10", "layers.14", "layers.18"];
        string[] bnNames = ["layers.2", "layers.6", "layers.12", "layers.16", "layers.20"];
        _weightOffsets = new int[6];
        for (int i = 0; i < 6; i++) _weightOffsets[i] = Layout.Add(convNames[i] + ".weight", _convolutions[i].Geometry.WeightCount);
        _gammaOffsets = new int[5];
        _betaOffsets = new int[5];
        for (int i = 0; i < 5; i++)
        {
            _gammaOffsets[i] = Layout.Add(bnNames[i] + ".weight", _blocks[i].Channels);
            _betaOffsets[i] = Layout.Add(bnNames[i] + ".bias", _blocks[i].Channels);
        }
        _fcWeight = Layout.Add("fc.weight", Classes * 32);
        _fcBias = Layout.Add("fc.bias", Classes);
        BatchNormNames = bnNames;

        _parameters = _arena.Floats(Layout.Count);
        _optimizerState = (float**)_arena.Floats(2 * optimizer.StateBuffers);
        for (int i = 0; i < optimizer.StateBuffers; i++) _optimizerState[i] = _arena.Floats(Layout.Count);
        // One gradient accumulator per chunk, and one more for what thread 0 adds once per step (BatchNorm's gamma and beta).
        _chunkGradients = new float*[_chunks + 1];
        for (int c = 0; c <= _chunks; c++) _chunkGradients[c] = _arena.Floats(Layout.Count);
        _gradient = _arena.Floats(Layout.Count);
        _chunkLoss = new double[_chunks];
        _nextChunk = new int[16];
        _pooledGradient = new float*[threads];
        _logits = new float*[threads];
        _logitGradient = new float*[threads];
        _featureGradient = new float*[threads];
        for (int t = 0; t < threads; t++)
        {
            _pooledGradient[t] = _arena.Floats(24 * 12 * 12 + Conv2dGeometry.Slack);
            _logits[t] = _arena.Floats(Classes);
            _logitGradient[t] = _arena.Floats(Classes);
            _featureGradient[t] = _arena.Floats(32);
        }
        _runningMean = new float*[5];
        _runningVar = new float*[5];
        for (int i = 0; i < 5; i++)
        {
            _runningMean[i] = _arena.Floats(_blocks[i].Channels);
            _runningVar[i] = _arena.Floats(_blocks[i].Channels);
            new Span<float>(_runningVar[i], _blocks[i].Channels).Fill(1f);
        }

        _input = _arena.Floats((long)batchSize * ImageSize + Conv2dGeometry.Slack);
        _labels = _arena.Ints(batchSize);
        _pooled = _arena.Floats((long)batchSize * 24 * 12 * 12 + Conv2dGeometry.Slack);
        _argmax = _arena.ByteBuffer((long)batchSize * 24 * 12 * 12);
        _squeezed = _arena.Floats((long)batchSize * 12 * 12 * 12 + Conv2dGeometry.Slack);
        _squeezedGradient = _arena.Floats((long)batchSize * 12 * 12 * 12);
        _features = _arena.Floats((long)batchSize * 32);
        _logProbabilities = _arena.Floats((long)batchSize * Classes);

        InitializeLikePyTorch(seed);
        _team = new WorkerTeam(threads);
        _trainBody = TrainSlice;
        _evaluateBody = EvaluateSlice;
    }

    /// <summary>The BatchNorm layers' state-dict prefixes, in order (for running_mean / running_var).</summary>
    public IReadOnlyList<string> BatchNormNames { get; }

    /// <summary>All parameters, flat, in <see cref="Layout"/> order (see <see cref="ParametersChanged"/> after writing).</summary>
    public Span<float> Parameters => new(_parameters, Layout.Count);

    public ReadOnlySpan<float> Gradients => new(_gradient, Layout.Count);

    public Span<float> Parameter(string name)
    {
        var (offset, count) = Layout[name];
        return new Span<float>(_parameters + offset, count);
    }

    /// <summary>
    /// Call after changing <see cref="Parameters"/> between steps (loading weights, say): the convolutions keep packed
    /// copies, refreshed by every step and before the first one, not by writes through the span.
    /// </summary>
    public void ParametersChanged() => PackWeights(0, 1);

    /// <summary>The last step's gradient of a parameter (reduced over threads; valid until the next step).</summary>
    public ReadOnlySpan<float> Gradient(string name)
    {
        var (offset, count) = Layout[name];
        return new ReadOnlySpan<float>(_gradient + offset, count);
    }

    public Span<float> RunningMean(int batchNorm) => new(_runningMean[batchNorm], _blocks[batchNorm].Channels);

    public Span<float> RunningVar(int batchNorm) => new(_runningVar[batchNorm], _blocks[batchNorm].Channels);

    public void SetBatchesTracked(long value) => BatchesTracked = value;

    public IReadOnlyList<string> BufferNames => _bufferNames ??= BuildBufferNames();

    private string[]? _bufferNames;

    private string[] BuildBufferNames()
    {
        var names = new List<string>();
        foreach (var bn in BatchNormNames) { names.Add(bn + ".running_mean"); names.Add(bn + ".running_var"); }
        return names.ToArray();
    }

    public Span<float> Buffer(string name)
    {
        for (int i = 0; i < BatchNormNames.Count; i++)
        {
            if (name == BatchNormNames[i] + ".running_mean") return RunningMean(i);
            if (name == BatchNormNames[i] + ".running_var") return RunningVar(i);
        }
        throw new KeyNotFoundException($"no buffer named {name}; the buffers are {string.Join(", ", BufferNames)}");
    }

    public Span<float> OptimizerState(int index) =>
        (uint)index < (uint)Optimizer.StateBuffers ? new Span<float>(_optimizerState[index], Layout.Count)
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"the optimizer has {Optimizer.StateBuffers} state buffers");

    /// <summary>The log-probabilities of the last step or evaluation, [batch][10].</summary>
    public ReadOnlySpan<float> LogProbabilities => new(_logProbabilities, BatchSize * Classes);

    /// <summary>The block outputs of the last forward pass (after BatchNorm and dropout), for tests.</summary>
    public ReadOnlySpan<float> BlockOutput(int block) => new(_blocks[block].Output, BatchSize * _blocks[block].ImageSize);

    /// <summary>Multiply-adds of one image's forward pass (convolutions and the Linear layer).</summary>
    public long ForwardMultiplyAdds
    {
        get
        {
            long macs = Classes * 32;
            foreach (var conv in _convolutions) macs += conv.Geometry.MultiplyAdds;
            return macs;
        }
    }

    /// <summary>The dropout probability of the first four blocks (0.05 as declared; tests set 0 to compare with PyTorch).</summary>
    public double Dropout { get; }

    /// <summary>One optimizer step on a batch ([batch][1][28][28] normalised images, labels 0-9); returns the mean NLL loss.</summary>
    public float Step(ReadOnlySpan<float> images, ReadOnlySpan<int> labels)
    {
        ParameterLayout.CheckLength("images", BatchSize * ImageSize, images.Length);
        ParameterLayout.CheckLength("labels", BatchSize, labels.Length);
        images.CopyTo(new Span<float>(_input, BatchSize * ImageSize));
        for (int i = 0; i < BatchSize; i++)
        {
            if ((uint)labels[i] >= Classes) throw new ArgumentOutOfRangeException(nameof(labels), labels[i], "labels are 0-9");
            _labels[i] = labels[i];
        }
        if (Steps == 0) PackWeights(0, 1);
        Array.Clear(_nextChunk);
        _team.Run(_trainBody);
        Steps++;
        BatchesTracked++;
        Optimizer.EndStep();
        double loss = 0;
        foreach (var l in _chunkLoss) loss += l;
        return (float)(loss / BatchSize);
    }

    /// <summary>Evaluation-mode forward of up to a batch of images; log-probabilities in <see cref="LogProbabilities"/>.</summary>
    public void Evaluate(ReadOnlySpan<float> images)
    {
        int count = images.Length / ImageSize;
        if (count * ImageSize != images.Length || count < 1 || count > BatchSize)
            throw new ArgumentException($"images: expected 1 to {BatchSize} images of {ImageSize} floats, got {images.Length} floats");
        images.CopyTo(new Span<float>(_input, images.Length));
        if (Steps == 0) PackWeights(0, 1);
        _evaluationCount = count;
        _team.Run(_evaluateBody);
    }

    private (int From, int To) Slice(int thread, int count) => (count * thread / Threads, count * (thread + 1) / Threads);

    // Hands out the chunks of one unit of work (units are numbered in the order every thread meets them).
    private bool NextChunk(int unit, out int from, out int to, out int chunk)
    {
        chunk = Interlocked.Increment(ref _nextChunk[unit]) - 1;
        from = chunk * ChunkSize;
        to = Math.Min(from + ChunkSize, BatchSize);
        return chunk < _chunks;
    }

    private void TrainSlice(int t)
    {
        int b = BatchSize;
        var keys = new DropoutKeys(_seed, Steps);
        StepProfile.Start(t);
        int unit = 0;

        // Forward. Unit k (k = 0..4) runs, per chunk, block k-1's normalisation and dropout (and, before block 2,
        // the pooling and the 1x1 convolution), then block k's convolution, ReLU and statistics.
        for (int k = 0; k < 5; k++)
        {
            var block = _blocks[k];
            while (NextChunk(unit, out int from, out int to, out int chunk))
            {
                float* input = _input;
                if (k > 0)
                {
                    _blocks[k - 1].Normalize(from, to, t, _parameters + _gammaOffsets[k - 1], _parameters + _betaOffsets[k - 1], keys[k - 1]);
                    input = _blocks[k - 1].Output;
                }
                if (k == 2)
                {
                    PoolAndSqueeze(from, to, t);
                    input = _squeezed;
                }
                block.ForwardConvolution(input, from, to, chunk, t);
            }
            unit++;
            StepProfile.Mark(t, StepProfile.Phase.Forward);
            _team.Barrier();
            StepProfile.Mark(t, StepProfile.Phase.BarrierWait);
            block.FinishStatistics(b, t, _runningMean[k], _runningVar[k]);
        }

        // Unit 5: the last block's normalisation, the head forward and backward (GAP, Linear, LogSoftmax + NLL),
        // then the last block's gradient sums. Units 6-9: block k's backward, then block k-1's gradient sums.
        float* shared = _chunkGradients[_chunks];
        for (int k = 4; k >= 0; k--)
        {
            var block = _blocks[k];
            while (NextChunk(unit, out int from, out int to, out int chunk))
            {
                float* grad = _chunkGradients[chunk];
                if (k == 4)
                {
                    block.Normalize(from, to, t, _parameters + _gammaOffsets[4], _parameters + _betaOffsets[4], keys[4]);
                    _chunkLoss[chunk] = Head(from, to, t, grad);
                }
                else
                {
                    var next = _blocks[k + 1];
                    float* nextInput = k + 1 == 2 ? _squeezed : block.Output;
                    float* nextInputGradient = k + 1 == 2 ? _squeezedGradient : block.OutputGradient;
                    next.BackwardConvolution(nextInput, nextInputGradient, from, to, t, _parameters + _gammaOffsets[k + 1],
                        grad + _weightOffsets[ConvolutionIndex(k + 1)]);
                    if (k + 1 == 2) SqueezeAndPoolBackward(from, to, t, grad);
                }
                block.BackwardSums(from, to, chunk, t, keys[k]);
            }
            unit++;
            StepProfile.Mark(t, StepProfile.Phase.Backward);
            _team.Barrier();
            StepProfile.Mark(t, StepProfile.Phase.BarrierWait);
            block.FinishGradientSums(b, t, shared + _gammaOffsets[k], shared + _betaOffsets[k]);
        }

        // Unit 10: the first block's backward (weight gradient only).
        while (NextChunk(unit, out int from0, out int to0, out int chunk0))
            _blocks[0].BackwardConvolution(_input, null, from0, to0, t, _parameters + _gammaOffsets[0],
                _chunkGradients[chunk0] + _weightOffsets[0]);
        StepProfile.Mark(t, StepProfile.Phase.Backward);

        // Reduce the chunks' gradients in chunk order (and clear them for the next step) and update this thread's
        // slice of the parameters.
        _team.Barrier();
        StepProfile.Mark(t, StepProfile.Phase.BarrierWait);
        var (p0, p1) = Layout.Range(t, Threads);
        new Span<float>(_gradient + p0, p1 - p0).Clear();
        for (int c = 0; c <= _chunks; c++)
        {
            float* g = _chunkGradients[c];
            for (int p = p0; p < p1; p++)
            {
                _gradient[p] += g[p];
                g[p] = 0;
            }
        }
        Optimizer.Update(_parameters, _gradient, _optimizerState, p0, p1);
        _team.Barrier();
        PackWeights(t, Threads);
        StepProfile.Mark(t, StepProfile.Phase.ReduceUpdatePack);
    }

    // GAP, Linear, LogSoftmax + NLL and their backward for images [from, to); returns the loss summed over them.
    private double Head(int from, int to, int t, float* grad)
    {
        double loss = 0;
        var last = _blocks[4];
        for (int i = from; i < to; i++)
        {
            float* features = _features + i * 32;
            AvgPool2dKernels.GlobalForward(last.Output + (long)i * last.ImageSize, 32, last.Plane, features);
            LinearKernels.Forward(features, 32, _parameters + _fcWeight, _parameters + _fcBias, Classes, _logits[t]);
            loss += LossKernels.LogSoftmaxNll(_logits[t], Classes, _labels[i], BatchSize, _logProbabilities + i * Classes, _logitGradient[t]);
            LinearKernels.Backward(features, 32, _parameters + _fcWeight, Classes, _logitGradient[t], grad + _fcWeight, grad + _fcBias, _featureGradient[t]);
            AvgPool2dKernels.GlobalBackward(_featureGradient[t], 32, last.Height, last.Width, last.OutputGradient + (long)i * last.ImageSize, last.Plane, last.Width);
        }
        return loss;
    }

    private static int ConvolutionIndex(int block) => block < 2 ? block : block + 1;

    private void PoolAndSqueeze(int from, int to, int t)
    {
        var g = _squeeze.Geometry;
        var source = _blocks[1];
        for (int i = from; i < to; i++)
        {
            float* pooled = _pooled + (long)i * g.InputSize;
            MaxPool2dKernels.Forward(source.Output + (long)i * source.ImageSize, 24, 24, 24, 2, 2, pooled, _argmax + (long)i * g.InputSize);
            float* wide = _squeeze.Forward(pooled, null, t);
            ConvEpilogue.Copy(wide, g.OutputPositions, g.PaddedWidth, g.OutChannels, g.OutHeight, g.OutWidth, _squeezed + (long)i * g.OutputSize);
        }
    }

    private void SqueezeAndPoolBackward(int from, int to, int t, float* grad)
    {
        var g = _squeeze.Geometry;
        float* dy = _squeeze.OutputGradient(t);
        var target = _blocks[1];
        for (int i = from; i < to; i++)
        {
            float* source = _squeezedGradient + (long)i * g.OutputSize;
            for (int c = 0; c < g.OutChannels; c++)
                new Span<float>(source + c * 144, 144).CopyTo(new Span<float>(dy + _squeeze.GradientIndex(c, 0, 0), 144));
            _squeeze.Backward(_pooled + (long)i * g.InputSize, _pooledGradient[t], grad + _weightOffsets[2], null, t);
            MaxPool2dKernels.Backward(_pooledGradient[t], _argmax + (long)i * g.InputSize, 24, 24, 24, 2, 2, target.OutputGradient + (long)i * target.ImageSize);
        }
    }

    private void EvaluateSlice(int t)
    {
        var (from, to) = Slice(t, _evaluationCount);
        float* input = _input;
        for (int k = 0; k < 5; k++)
        {
            var block = _blocks[k];
            block.ForwardEvaluation(input, from, to, t, _parameters + _gammaOffsets[k], _parameters + _betaOffsets[k], _runningMean[k], _runningVar[k]);
            input = block.Output;
            if (k == 1)
            {
                PoolAndSqueeze(from, to, t);
                input = _squeezed;
            }
        }
        var last = _blocks[4];
        for (int i = from; i < to; i++)
        {
            float* features = _features + i * 32;
            AvgPool2dKernels.GlobalForward(last.Output + (long)i * last.ImageSize, 32, last.Plane, features);
            LinearKernels.Forward(features, 32, _parameters + _fcWeight, _parameters + _fcBias, Classes, _logits[t]);
            LossKernels.LogSoftmax(_logits[t], Classes, _logProbabilities + i * Classes);
        }
    }

    private void PackWeights(int thread, int threads)
    {
        for (int i = thread; i < _convolutions.Length; i += threads) _convolutions[i].Pack(_parameters + _weightOffsets[i]);
    }

    /// <summary>PyTorch's default initialisation (kaiming_uniform with a = sqrt 5: U(±1/sqrt(fan_in)); BatchNorm 1 and 0), from the seed.</summary>
    private void InitializeLikePyTorch(ulong seed)
    {
        var random = new SplitMix64(seed);
        for (int i = 0; i < _convolutions.Length; i++)
        {
            var g = _convolutions[i].Geometry;
            Uniform(random, _parameters + _weightOffsets[i], g.WeightCount, 1.0 / Math.Sqrt(g.InChannels * g.Taps));
        }
        for (int i = 0; i < 5; i++) new Span<float>(_parameters + _gammaOffsets[i], _blocks[i].Channels).Fill(1f);
        Uniform(random, _parameters + _fcWeight, Classes * 32, 1.0 / Math.Sqrt(32));
        Uniform(random, _parameters + _fcBias, Classes, 1.0 / Math.Sqrt(32));
    }

    private static void Uniform(SplitMix64 random, float* values, int count, double bound)
    {
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * bound);
    }

    public void Dispose()
    {
        _team.Dispose();
        _arena.Dispose();
    }

    /// <summary>The dropout keys of one step, one per block (a value type: no allocation).</summary>
    private readonly struct DropoutKeys(ulong seed, long step)
    {
        public uint this[int block] => DropoutMask.Key(seed, step, block);
    }
}
