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
        for (int i = from; i < to; i++) LogSoftmaxKernels.Forward(Input + (long)i * InputSize, Output + (long)i * OutputSize, _channels, _plane);
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
        {
            long image = (long)i * InputSize;
            LogSoftmaxKernels.Backward(Output + image, OutputGradient + image, InputGradient + image, _channels, _plane);
        }
    }
}
