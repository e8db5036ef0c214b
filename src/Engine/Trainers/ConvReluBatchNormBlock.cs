using System;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Simd;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>
/// Conv2d (no bias) → ReLU → BatchNorm2d → Dropout(p), the block the sample networks repeat, fused where the data
/// allows: the convolution's epilogue applies ReLU and gathers the BatchNorm sums; BatchNorm's backward applies the
/// dropout mask and the ReLU mask and writes straight into the convolution's padded-wide gradient buffer.
/// Batch-wide buffers: <see cref="Activation"/> (after ReLU, kept for backward) and <see cref="Output"/>.
/// Each phase works on one thread's slice of the batch; the caller puts a barrier between the phases.
/// </summary>
public sealed unsafe class ConvReluBatchNormBlock<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly int _threads;
    private readonly double* _sum, _squares, _sumDy, _sumDyXhat;
    private readonly float*[] _mean, _inverseStd, _meanDy, _meanDyXhat;
    private readonly double _dropout;
    private readonly int _layerId;

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

    public ConvReluBatchNormBlock(Conv2dGeometry geometry, int batch, int threads, double dropout, int layerId, NativeArena arena)
    {
        Conv = new Conv2dLayer<TV, TOps>(geometry, threads, arena);
        _threads = threads;
        _dropout = dropout;
        _layerId = layerId;
        Channels = geometry.OutChannels;
        Height = geometry.OutHeight;
        Width = geometry.OutWidth;
        long size = (long)batch * ImageSize;
        Activation = arena.Floats(size);
        Output = arena.Floats(size + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats(size);
        _sum = arena.Doubles(threads * Channels);
        _squares = arena.Doubles(threads * Channels);
        _sumDy = arena.Doubles(threads * Channels);
        _sumDyXhat = arena.Doubles(threads * Channels);
        _mean = new float*[threads];
        _inverseStd = new float*[threads];
        _meanDy = new float*[threads];
        _meanDyXhat = new float*[threads];
        for (int t = 0; t < threads; t++)
        {
            _mean[t] = arena.Floats(Channels);
            _inverseStd[t] = arena.Floats(Channels);
            _meanDy[t] = arena.Floats(Channels);
            _meanDyXhat[t] = arena.Floats(Channels);
        }
    }

    /// <summary>Phase 1: convolution + ReLU for images [from, to), and this thread's BatchNorm sums.</summary>
    public void ForwardConvolution(float* input, int from, int to, int thread)
    {
        var g = Conv.Geometry;
        double* sum = _sum + thread * Channels, squares = _squares + thread * Channels;
        new System.Span<double>(sum, Channels).Clear();
        new System.Span<double>(squares, Channels).Clear();
        for (int i = from; i < to; i++)
        {
            float* wide = Conv.Forward(input + (long)i * g.InputSize, null, thread);
            ConvEpilogue.ReluWithStatistics(wide, g.OutputPositions, g.PaddedWidth, Channels, Height, Width,
                Activation + (long)i * ImageSize, sum, squares);
        }
    }

    /// <summary>Phase 2 (after a barrier): batch statistics, running statistics (thread 0), normalise and drop out.</summary>
    public void ForwardNormalize(int batch, int from, int to, int thread, float* gamma, float* beta, float* runningMean,
        float* runningVar, uint dropoutKey)
    {
        BatchNormKernels.Statistics(_sum, _squares, _threads, Channels, (long)batch * Plane, Epsilon, _mean[thread],
            _inverseStd[thread], thread == 0 ? runningMean : null, runningVar, Momentum);
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
        double* scratch = _sum + thread * Channels, scratch2 = _squares + thread * Channels;
        BatchNormKernels.RunningStatistics(runningMean, runningVar, Channels, Epsilon, _mean[thread], _inverseStd[thread]);
        for (int i = from; i < to; i++)
        {
            float* wide = Conv.Forward(input + (long)i * g.InputSize, null, thread);
            float* a = Activation + (long)i * ImageSize;
            ConvEpilogue.ReluWithStatistics(wide, g.OutputPositions, g.PaddedWidth, Channels, Height, Width, a, scratch, scratch2);
            BatchNormKernels.Normalize(a, Output + (long)i * ImageSize, Channels, Plane, _mean[thread], _inverseStd[thread], gamma, beta);
        }
    }

    /// <summary>Backward phase 1: dropout's backward in place on the output gradient, then this thread's BatchNorm gradient sums.</summary>
    public void BackwardSums(int from, int to, int thread, uint dropoutKey)
    {
        double* sumDy = _sumDy + thread * Channels, sumDyXhat = _sumDyXhat + thread * Channels;
        new System.Span<double>(sumDy, Channels).Clear();
        new System.Span<double>(sumDyXhat, Channels).Clear();
        for (int i = from; i < to; i++)
        {
            float* dy = OutputGradient + (long)i * ImageSize;
            DropoutMask.Apply(dy, ImageSize, (uint)(i * ImageSize), dropoutKey, _dropout);
            BatchNormKernels.AccumulateGradientSums(dy, Activation + (long)i * ImageSize, Channels, Plane, _mean[thread],
                _inverseStd[thread], sumDy, sumDyXhat);
        }
    }

    /// <summary>
    /// Backward phase 2 (after a barrier): reduces the sums in thread order; thread 0 adds dL/dgamma and dL/dbeta.
    /// Then per image: BatchNorm + ReLU input gradient into the convolution's buffer, and the convolution's backward
    /// (weight gradient added; input gradient to <paramref name="inputGradient"/> unless null).
    /// </summary>
    public void BackwardConvolution(float* input, float* inputGradient, int batch, int from, int to, int thread,
        float* gamma, float* gammaGradient, float* betaGradient, float* weightGradient)
    {
        long count = (long)batch * Plane;
        float* meanDy = _meanDy[thread], meanDyXhat = _meanDyXhat[thread];
        for (int c = 0; c < Channels; c++)
        {
            double s = 0, q = 0;
            for (int t = 0; t < _threads; t++) { s += _sumDy[t * Channels + c]; q += _sumDyXhat[t * Channels + c]; }
            meanDy[c] = (float)(s / count);
            meanDyXhat[c] = (float)(q / count);
            if (thread == 0)
            {
                gammaGradient[c] += (float)q;
                betaGradient[c] += (float)s;
            }
        }

        // Per group of images: BatchNorm + ReLU input gradient into the convolution's slots, then its backward.
        var g = Conv.Geometry;
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
