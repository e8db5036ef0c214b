using System.Numerics;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// LogSoftmax over dimension 1 before the network's last layer (the final one is part of <see cref="LossUnit"/>): over
/// a vector's features, or, for a [C][H][W] map, over the channels at each pixel (stride H x W), as PyTorch's
/// log_softmax(x, 1) does. Backward: dx = dy - exp(y) sum(dy) along the same axis.
/// </summary>
internal sealed unsafe class LogSoftmaxUnit : ElementwiseUnit
{
    private readonly int _channels, _plane;

    public LogSoftmaxUnit(int channels, int plane, int batch, NativeArena arena) : base(channels * plane, batch, arena)
    {
        _channels = channels;
        _plane = plane;
    }

    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
        {
            float* x = Input + (long)i * InputSize, y = Output + (long)i * OutputSize;
            int p = 0;
            // A map: a vector of neighbouring pixels at a time (each pixel's channels lie a plane apart), the sums of
            // exponentials in double as in the one-pixel loop below, which takes the rest (and every vector input).
            for (; p + Vector<float>.Count <= _plane; p += Vector<float>.Count) PixelsForward(x + p, y + p);
            for (; p < _plane; p++) PixelForward(x + p, y + p);
        }
    }

    private void PixelForward(float* x, float* y)
    {
        float max = float.NegativeInfinity;
        for (int c = 0; c < _channels; c++) max = MathF.Max(max, x[c * _plane]);
        double sum = 0;
        for (int c = 0; c < _channels; c++) sum += Math.Exp(x[c * _plane] - max);
        float log = max + (float)Math.Log(sum);
        for (int c = 0; c < _channels; c++) y[c * _plane] = x[c * _plane] - log;
    }

    private void PixelsForward(float* x, float* y)
    {
        int v = Vector<float>.Count;
        var max = new Vector<float>(float.NegativeInfinity);
        for (int c = 0; c < _channels; c++) max = Vector.Max(max, Vector.Load(x + c * _plane));
        var low = Vector<double>.Zero;
        var high = Vector<double>.Zero;
        for (int c = 0; c < _channels; c++)
        {
            Vector.Widen(Vector.Load(x + c * _plane) - max, out var a, out var b);
            low += Vector.Exp(a);
            high += Vector.Exp(b);
        }
        float* log = stackalloc float[v];
        for (int k = 0; k < v; k++) log[k] = max[k] + (float)Math.Log(k < v / 2 ? low[k] : high[k - v / 2]);
        var logs = Vector.Load(log);
        for (int c = 0; c < _channels; c++) (Vector.Load(x + c * _plane) - logs).Store(y + c * _plane);
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        int v = Vector<float>.Count;
        for (int i = work.From; i < work.To; i++)
        {
            long image = (long)i * InputSize;
            int p = 0;
            for (; p + v <= _plane; p += v)
            {
                float* y = Output + image + p, dy = OutputGradient + image + p, dx = InputGradient + image + p;
                var sum = Vector<float>.Zero;
                for (int c = 0; c < _channels; c++) sum += Vector.Load(dy + c * _plane);
                for (int c = 0; c < _channels; c++)
                    (Vector.Load(dy + c * _plane) - Vector.Exp(Vector.Load(y + c * _plane)) * sum).Store(dx + c * _plane);
            }
            for (; p < _plane; p++)
            {
                float* y = Output + image + p, dy = OutputGradient + image + p, dx = InputGradient + image + p;
                float sum = 0;
                for (int c = 0; c < _channels; c++) sum += dy[c * _plane];
                for (int c = 0; c < _channels; c++) dx[c * _plane] = dy[c * _plane] - MathF.Exp(y[c * _plane]) * sum;
            }
        }
    }
}
