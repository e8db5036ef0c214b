namespace Mnist.Dsl.Engine.Composition;

/// <summary>GlobalAvgPool2d (AdaptiveAvgPool2d(1)): [C][H][W] to [C]; a Flatten after it is free.</summary>
internal sealed unsafe class GlobalAvgPoolUnit : TrainUnit
{
    private readonly int _channels, _height, _width;

    public GlobalAvgPoolUnit(int channels, int height, int width, int batch, NativeArena arena)
    {
        _channels = channels;
        _height = height;
        _width = width;
        InputSize = channels * height * width;
        OutputSize = channels;
        Output = arena.Floats((long)batch * channels + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * channels + Conv2dGeometry.Slack);
    }

    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
            AvgPool2dKernels.GlobalForward(Input + (long)i * InputSize, _channels, _height * _width, Output + (long)i * OutputSize);
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
            AvgPool2dKernels.GlobalBackward(OutputGradient + (long)i * OutputSize, _channels, _height, _width,
                InputGradient + (long)i * InputSize, _height * _width, _width);
    }
}
