namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// Conv2d (no bias) → ReLU → BatchNorm2d → Dropout(p), the block the sample networks repeat, fused where the data
/// allows: the convolution's epilogue applies ReLU and gathers the BatchNorm sums; BatchNorm's normalisation and the
/// dropout mask are one pass; BatchNorm's backward applies the dropout and ReLU masks and writes straight into the
/// convolution's padded-wide gradient buffer.
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

    public Conv2dLayer<TV, TOps> Conv { get; }

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

    /// <summary>A block for batches of <paramref name="batch"/> images cut into <paramref name="rows"/> chunks (the
    /// rows of its partial-sum tables).</summary>
    public ConvReluBatchNormBlock(Conv2dGeometry geometry, int batch, int threads, int rows, double dropout, NativeArena arena)
    {
        Conv = new Conv2dLayer<TV, TOps>(geometry, threads, arena);
        _rows = rows;
        _dropout = dropout;
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

    /// <summary>Phase 1, one chunk (images [from, to), partial-sum row <paramref name="row"/>): convolution + ReLU and
    /// the chunk's BatchNorm sums.</summary>
    public void ForwardConvolution(float* input, int from, int to, int row, int thread)
    {
        var g = Conv.Geometry;
        double* sum = _sum + row * Channels, squares = _squares + row * Channels;
        new Span<double>(sum, Channels).Clear();
        new Span<double>(squares, Channels).Clear();
        for (int i = from; i < to; i++)
        {
            float* wide = Conv.Forward(input + (long)i * g.InputSize, null, thread);
            ConvEpilogue.ReluWithStatistics(wide, g.OutputPositions, g.PaddedWidth, Channels, Height, Width,
                Activation + (long)i * ImageSize, sum, squares);
        }
    }

    /// <summary>Phase 2a, every thread once (after a barrier): batch statistics from all rows; thread 0 also updates the running ones.</summary>
    public void FinishStatistics(int batch, int thread, float* runningMean, float* runningVar)
    {
        BatchNormKernels.Statistics(_sum, _squares, _rows, Channels, (long)batch * Plane, Epsilon, _mean[thread],
            _inverseStd[thread], thread == 0 ? runningMean : null, runningVar, Momentum);
    }

    /// <summary>Phase 2b, one chunk: normalise and drop out.</summary>
    public void Normalize(int from, int to, int thread, float* gamma, float* beta, uint dropoutKey)
    {
        float* mean = _mean[thread], inverseStd = _inverseStd[thread];
        for (int i = from; i < to; i++)
        {
            float* y = Output + (long)i * ImageSize, a = Activation + (long)i * ImageSize;
            if (_dropout == 0)
            {
                BatchNormKernels.Normalize(a, y, Channels, Plane, mean, inverseStd, gamma, beta);
                continue;
            }
            for (int c = 0; c < Channels; c++)
            {
                float scale = inverseStd[c] * gamma[c];
                DropoutMask.AffineThenApply(a + c * Plane, y + c * Plane, Plane, scale, beta[c] - mean[c] * scale,
                    (uint)(i * ImageSize + c * Plane), dropoutKey, _dropout);
            }
        }
    }

    /// <summary>Evaluation for images [from, to): running statistics, no dropout; no barrier needed.</summary>
    public void ForwardEvaluation(float* input, int from, int to, int thread, float* gamma, float* beta, float* runningMean, float* runningVar)
    {
        var g = Conv.Geometry;
        // The epilogue's sums are not needed here; they go to this thread's scratch.
        double* scratch = _evaluationScratch[thread], scratch2 = scratch + Channels;
        BatchNormKernels.RunningStatistics(runningMean, runningVar, Channels, Epsilon, _mean[thread], _inverseStd[thread]);
        for (int i = from; i < to; i++)
        {
            float* wide = Conv.Forward(input + (long)i * g.InputSize, null, thread);
            float* a = Activation + (long)i * ImageSize;
            ConvEpilogue.ReluWithStatistics(wide, g.OutputPositions, g.PaddedWidth, Channels, Height, Width, a,
                scratch, scratch2);
            BatchNormKernels.Normalize(a, Output + (long)i * ImageSize, Channels, Plane, _mean[thread], _inverseStd[thread], gamma, beta);
        }
    }

    /// <summary>Backward phase 1, one chunk: dropout's backward in place on the output gradient, then the chunk's BatchNorm gradient sums.</summary>
    public void BackwardSums(int from, int to, int row, int thread, uint dropoutKey)
    {
        double* sumDy = _sumDy + row * Channels, sumDyXhat = _sumDyXhat + row * Channels;
        new Span<double>(sumDy, Channels).Clear();
        new Span<double>(sumDyXhat, Channels).Clear();
        for (int i = from; i < to; i++)
        {
            float* dy = OutputGradient + (long)i * ImageSize, a = Activation + (long)i * ImageSize;
            if (_dropout == 0)
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
    /// then its backward (weight gradient added to <paramref name="weightGradient"/>, the chunk's own accumulator;
    /// input gradient to <paramref name="inputGradient"/> unless null).
    /// </summary>
    public void BackwardConvolution(float* input, float* inputGradient, int from, int to, int thread, float* gamma, float* weightGradient)
    {
        var g = Conv.Geometry;
        float* meanDy = _meanDy[thread], meanDyXhat = _meanDyXhat[thread];
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
                    Height, Width, _mean[thread], _inverseStd[thread], gamma, meanDy, meanDyXhat, reluBefore: true,
                    Conv.OutputGradient(thread, k) + g.GradientFront, g.GradientPlane, g.PaddedWidth);
                images[k] = input + (long)i * g.InputSize;
                inputGradients[k] = inputGradient == null ? null : inputGradient + (long)i * g.InputSize;
            }
            Conv.Backward(images, inputGradients, members, weightGradient, null, thread);
        }
    }
}
