namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// Conv2d (any stride, padding, bias) → ReLU → BatchNorm2d → Dropout(p) or Dropout2d(p), or with the ReLU after the
/// BatchNorm2d (<see cref="ReluAfterBatchNorm"/>): the block users write, fused where the data allows. The convolution's
/// epilogue applies the ReLU before BatchNorm (if any) and gathers the BatchNorm sums (about the bias, for a biased
/// convolution: see <see cref="ConvEpilogue.ReluWithStatistics"/>); BatchNorm's normalisation, the ReLU after it and
/// the dropout mask are one pass over the chunk; BatchNorm's backward applies the dropout and ReLU masks and writes
/// straight into the convolution's padded-wide gradient buffer.
/// Batch-wide buffers: <see cref="Activation"/> (after ReLU, kept for backward), <see cref="Output"/>, <see cref="OutputGradient"/>.
/// The batch is cut into fixed chunks; whichever thread runs a chunk writes that chunk's row of the partial-sum
/// tables, and every reduction runs over the rows in chunk order: the result does not depend on which thread ran
/// what (nor on the thread count). The caller puts a barrier between the phases.
/// </summary>
internal sealed unsafe class ConvReluBatchNormBlock<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly int _rows;
    private readonly double* _sum, _squares, _sumDy, _sumDyXhat;
    private readonly float*[] _mean, _inverseStd, _meanDy, _meanDyXhat;
    private readonly double*[] _evaluationScratch;
    private readonly double _dropout;
    private readonly float* _shifts;
    private readonly long* _counts;

    public Conv2dLayer<TV, TOps> Conv { get; }

    /// <summary>A strided convolution's path (see <see cref="Conv2dUnit{TV,TOps}.RunsAsPatches"/>); null: <see cref="Conv"/>'s kernels.</summary>
    private readonly PatchConvolution<TV, TOps>? _patch;

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int Plane => Height * Width;

    public int ImageSize => Channels * Plane;

    public float* Activation { get; }

    /// <summary>The block's output (input of the next layer), with <see cref="Conv2dGeometry.Slack"/> floats after the batch.</summary>
    public float* Output { get; }

    /// <summary>dL/d(output) for the whole batch, filled by the next layer's backward.</summary>
    public float* OutputGradient { get; }

    public double Momentum { get; init; } = 0.1;

    public double Epsilon { get; init; } = 1e-5;

    /// <summary>Conv2d → BatchNorm2d → ReLU (false: Conv2d → ReLU → BatchNorm2d).</summary>
    public bool ReluAfterBatchNorm { get; }

    /// <summary>The dropout is Dropout2d: whole channels, channel i * C + c of the batch keyed as DropoutUnit keys them.</summary>
    public bool ChannelDropout { get; }

    /// <summary>A block for batches of <paramref name="batch"/> images cut into <paramref name="rows"/> chunks (the
    /// rows of its partial-sum tables).</summary>
    public ConvReluBatchNormBlock(Conv2dGeometry geometry, int batch, int threads, int rows, double dropout, NativeArena arena,
        bool reluAfterBatchNorm = false, bool channelDropout = false)
    {
        Conv = new Conv2dLayer<TV, TOps>(geometry, threads, arena);
        if (Conv2dUnit<TV, TOps>.RunsAsPatches(geometry)) _patch = new PatchConvolution<TV, TOps>(geometry, threads, arena);
        _rows = rows;
        _dropout = dropout;
        ReluAfterBatchNorm = reluAfterBatchNorm;
        ChannelDropout = channelDropout;
        Channels = geometry.OutChannels;
        Height = geometry.OutHeight;
        Width = geometry.OutWidth;
        long size = (long)batch * ImageSize;
        Activation = arena.Floats(size);
        Output = arena.Floats(size + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats(size);
        _sum = arena.Doubles(rows * Channels);
        _squares = arena.Doubles(rows * Channels);
        _sumDy = arena.Doubles(rows * Channels);
        _sumDyXhat = arena.Doubles(rows * Channels);
        if (geometry.Bias)
        {
            _shifts = arena.Floats(rows * Channels);
            _counts = arena.Longs(rows);
        }
        _mean = new float*[threads];
        _inverseStd = new float*[threads];
        _meanDy = new float*[threads];
        _meanDyXhat = new float*[threads];
        _evaluationScratch = new double*[threads];
        for (int t = 0; t < threads; t++)
        {
            _evaluationScratch[t] = arena.Doubles(2 * Channels);
            _mean[t] = arena.Floats(Channels);
            _inverseStd[t] = arena.Floats(Channels);
            _meanDy[t] = arena.Floats(Channels);
            _meanDyXhat[t] = arena.Floats(Channels);
        }
    }

    /// <summary>
    /// Phase 1, one chunk (images [from, to), partial-sum row <paramref name="row"/>): convolution (+ <paramref name="bias"/>
    /// unless null) and the ReLU before BatchNorm, if any, and the chunk's BatchNorm sums.
    /// </summary>
    public void ForwardConvolution(float* input, int from, int to, int row, int thread, float* bias = null)
    {
        double* sum = _sum + row * Channels, squares = _squares + row * Channels;
        new Span<double>(sum, Channels).Clear();
        new Span<double>(squares, Channels).Clear();
        float* shift = null;
        if (bias != null)
        {
            // About the bias (through the ReLU when it comes first): the channel's mean when the weights' part is small.
            shift = _shifts + row * Channels;
            for (int c = 0; c < Channels; c++) shift[c] = ReluAfterBatchNorm ? bias[c] : Math.Max(bias[c], 0f);
            _counts[row] = Math.Max(to - from, 0) * (long)Plane;
        }
        Convolve(input, from, to, thread, bias, sum, squares, shift);
    }

    /// <summary>Takes the current weights ([Cout][Cin][k][k]); call after every update, before the next forward.</summary>
    public void Pack(float* weight)
    {
        if (_patch != null) _patch.Pack(weight);
        else Conv.Pack(weight);
    }

    /// <summary>Images [from, to): convolution, then the epilogue (ReLU unless it comes after BatchNorm, the sums) into <see cref="Activation"/>.</summary>
    private void Convolve(float* input, int from, int to, int thread, float* bias, double* sum, double* squares, float* shift)
    {
        var g = Conv.Geometry;
        if (_patch == null)
        {
            for (int i = from; i < to; i++)
                Epilogue(Conv.Forward(input + (long)i * g.InputSize, bias, thread), Conv.OutputPlane, Conv.OutputRowStride, i, sum, squares, shift);
            return;
        }
        for (int first = from; first < to; first += _patch.GroupSize)
        {
            int count = Math.Min(_patch.GroupSize, to - first);
            float* matrix = _patch.Forward(input, first, count, bias, thread);
            for (int k = 0; k < count; k++) Epilogue(matrix + k * Plane, _patch.Stride, Width, first + k, sum, squares, shift);
        }
    }

    /// <summary>Image i's convolution output (channel stride <paramref name="plane"/>, row stride <paramref name="row"/>) into <see cref="Activation"/>.</summary>
    private void Epilogue(float* output, int plane, int row, int i, double* sum, double* squares, float* shift)
    {
        if (ReluAfterBatchNorm)
            ConvEpilogue.CopyWithStatistics(output, plane, row, Channels, Height, Width, Activation + (long)i * ImageSize, sum, squares, shift);
        else
            ConvEpilogue.ReluWithStatistics(output, plane, row, Channels, Height, Width, Activation + (long)i * ImageSize, sum, squares, shift);
    }

    /// <summary>Phase 2a, every thread once (after a barrier): batch statistics from all rows; thread 0 also updates the running ones.</summary>
    public void FinishStatistics(int batch, int thread, float* runningMean, float* runningVar)
    {
        BatchNormKernels.Statistics(_sum, _squares, _rows, Channels, (long)batch * Plane, Epsilon, _mean[thread],
            _inverseStd[thread], thread == 0 ? runningMean : null, runningVar, Momentum, _shifts, _counts);
    }

    /// <summary>Phase 2b, one chunk: normalise, the ReLU after BatchNorm if any, and drop out.</summary>
    public void Normalize(int from, int to, int thread, float* gamma, float* beta, uint dropoutKey)
    {
        float* mean = _mean[thread], inverseStd = _inverseStd[thread];
        for (int i = from; i < to; i++)
        {
            float* y = Output + (long)i * ImageSize, a = Activation + (long)i * ImageSize;
            if (_dropout == 0)
                BatchNormKernels.Normalize(a, y, Channels, Plane, mean, inverseStd, gamma, beta);
            else if (ChannelDropout)
                DropChannels(a, y, i, mean, inverseStd, gamma, beta, dropoutKey);
            else
                for (int c = 0; c < Channels; c++)
                {
                    float scale = inverseStd[c] * gamma[c];
                    DropoutMask.AffineThenApply(a + c * Plane, y + c * Plane, Plane, scale, beta[c] - mean[c] * scale,
                        (uint)(i * ImageSize + c * Plane), dropoutKey, _dropout);
                }
            // ReLU after the mask: max(0, z) keep / (1 - p) = max(0, z keep / (1 - p)), the same bits.
            if (ReluAfterBatchNorm) ReluKernels.Forward(y, y, ImageSize);
        }
    }

    /// <summary>Dropout2d after the normalisation: channel c of image i kept (times 1 / (1 - p)) or zeroed whole.</summary>
    private void DropChannels(float* a, float* y, int i, float* mean, float* inverseStd, float* gamma, float* beta, uint key)
    {
        uint threshold = DropoutMask.Threshold(_dropout);
        float keep = (float)(1.0 / (1.0 - _dropout));
        for (int c = 0; c < Channels; c++)
        {
            float* yc = y + c * Plane;
            if (DropoutMask.Hash(key, (uint)(i * Channels + c)) < threshold)
            {
                new Span<float>(yc, Plane).Clear();
                continue;
            }
            BatchNormKernels.Normalize(a + c * Plane, yc, 1, Plane, mean + c, inverseStd + c, gamma + c, beta + c);
            for (int k = 0; k < Plane; k++) yc[k] *= keep;
        }
    }

    /// <summary>Evaluation for images [from, to): running statistics, no dropout; no barrier needed.</summary>
    public void ForwardEvaluation(float* input, int from, int to, int thread, float* gamma, float* beta, float* runningMean, float* runningVar,
        float* bias = null)
    {
        // The epilogue's sums are not needed here; they go to this thread's scratch.
        double* scratch = _evaluationScratch[thread], scratch2 = scratch + Channels;
        BatchNormKernels.RunningStatistics(runningMean, runningVar, Channels, Epsilon, _mean[thread], _inverseStd[thread]);
        Convolve(input, from, to, thread, bias, scratch, scratch2, null);
        for (int i = from; i < to; i++)
        {
            float* y = Output + (long)i * ImageSize;
            BatchNormKernels.Normalize(Activation + (long)i * ImageSize, y, Channels, Plane, _mean[thread], _inverseStd[thread], gamma, beta);
            if (ReluAfterBatchNorm) ReluKernels.Forward(y, y, ImageSize);
        }
    }

    /// <summary>Backward phase 1, one chunk: the ReLU after BatchNorm's and dropout's backward in place on the output
    /// gradient, then the chunk's BatchNorm gradient sums.</summary>
    public void BackwardSums(int from, int to, int row, int thread, uint dropoutKey)
    {
        double* sumDy = _sumDy + row * Channels, sumDyXhat = _sumDyXhat + row * Channels;
        new Span<double>(sumDy, Channels).Clear();
        new Span<double>(sumDyXhat, Channels).Clear();
        for (int i = from; i < to; i++)
        {
            float* dy = OutputGradient + (long)i * ImageSize, a = Activation + (long)i * ImageSize;
            // The ReLU after BatchNorm passes the gradient where the output is positive (a dropped element's output is
            // 0, and its gradient 0 either way).
            if (ReluAfterBatchNorm) ReluKernels.Backward(Output + (long)i * ImageSize, dy, dy, ImageSize);
            if (_dropout != 0 && ChannelDropout) DropoutMask.ApplyChannels(dy, Channels, Plane, (uint)(i * Channels), dropoutKey, _dropout);
            if (_dropout == 0 || ChannelDropout)
                BatchNormKernels.AccumulateGradientSums(dy, a, Channels, Plane, _mean[thread], _inverseStd[thread], sumDy, sumDyXhat);
            else
                BatchNormKernels.DropoutBackwardAndGradientSums(dy, a, Channels, Plane, _mean[thread], _inverseStd[thread],
                    (uint)(i * ImageSize), dropoutKey, _dropout, sumDy, sumDyXhat);
        }
    }

    /// <summary>
    /// Backward phase 2a, every thread once (after a barrier): the gradient sums from all rows in row order; thread 0
    /// adds dL/dgamma and dL/dbeta to the given gradients.
    /// </summary>
    public void FinishGradientSums(int batch, int thread, float* gammaGradient, float* betaGradient) =>
        BatchNormKernels.GradientMeans(_sumDy, _sumDyXhat, _rows, Channels, (long)batch * Plane, _meanDy[thread], _meanDyXhat[thread],
            thread == 0 ? gammaGradient : null, thread == 0 ? betaGradient : null);

    /// <summary>
    /// Backward phase 2b, one chunk: per group of images, BatchNorm + ReLU input gradient into the convolution's slots,
    /// then its backward (weight and bias gradients added to <paramref name="weightGradient"/> and <paramref name="biasGradient"/>
    /// (unless null), the chunk's own accumulators; input gradient to <paramref name="inputGradient"/> unless null).
    /// </summary>
    public void BackwardConvolution(float* input, float* inputGradient, int from, int to, int thread, float* gamma, float* weightGradient,
        float* biasGradient = null)
    {
        var g = Conv.Geometry;
        float* meanDy = _meanDy[thread], meanDyXhat = _meanDyXhat[thread];
        if (_patch != null)
        {
            float* dy = _patch.OutputGradient(thread);
            for (int first = from; first < to; first += _patch.GroupSize)
            {
                int count = Math.Min(_patch.GroupSize, to - first);
                for (int k = 0; k < count; k++)
                {
                    int i = first + k;
                    BatchNormKernels.InputGradient(OutputGradient + (long)i * ImageSize, Activation + (long)i * ImageSize, Channels,
                        Height, Width, _mean[thread], _inverseStd[thread], gamma, meanDy, meanDyXhat, reluBefore: !ReluAfterBatchNorm,
                        dy + k * Plane, _patch.Stride, Width);
                }
                _patch.Backward(input, inputGradient, first, count, weightGradient, biasGradient, thread);
            }
            return;
        }
        int group = Conv.GroupSize;
        float** images = stackalloc float*[group];
        float** inputGradients = stackalloc float*[group];
        for (int first = from; first < to; first += group)
        {
            int members = Math.Min(group, to - first);
            for (int k = 0; k < members; k++)
            {
                int i = first + k;
                BatchNormKernels.InputGradient(OutputGradient + (long)i * ImageSize, Activation + (long)i * ImageSize, Channels,
                    Height, Width, _mean[thread], _inverseStd[thread], gamma, meanDy, meanDyXhat, reluBefore: !ReluAfterBatchNorm,
                    Conv.OutputGradient(thread, k) + Conv.GradientFront, Conv.GradientPlane, Conv.OutputRowStride);
                images[k] = input + (long)i * g.InputSize;
                inputGradients[k] = inputGradient == null ? null : inputGradient + (long)i * g.InputSize;
            }
            Conv.Backward(images, inputGradients, members, weightGradient, biasGradient, thread);
        }
    }
}
