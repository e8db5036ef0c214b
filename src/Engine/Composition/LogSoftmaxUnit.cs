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
            for (int p = 0; p < _plane; p++)
            {
                float* x = Input + (long)i * InputSize + p, y = Output + (long)i * OutputSize + p;
                float max = float.NegativeInfinity;
                for (int c = 0; c < _channels; c++) max = MathF.Max(max, x[c * _plane]);
                double sum = 0;
                for (int c = 0; c < _channels; c++) sum += Math.Exp(x[c * _plane] - max);
                float log = max + (float)Math.Log(sum);
                for (int c = 0; c < _channels; c++) y[c * _plane] = x[c * _plane] - log;
            }
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
            for (int p = 0; p < _plane; p++)
            {
                long at = (long)i * InputSize + p;
                float* y = Output + at, dy = OutputGradient + at, dx = InputGradient + at;
                float sum = 0;
                for (int c = 0; c < _channels; c++) sum += dy[c * _plane];
                for (int c = 0; c < _channels; c++) dx[c * _plane] = dy[c * _plane] - MathF.Exp(y[c * _plane]) * sum;
            }
    }
}
