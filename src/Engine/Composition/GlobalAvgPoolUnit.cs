namespace Mnist.Dsl.Engine.Composition;

/// <summary>GlobalAvgPool2d (AdaptiveAvgPool2d(1)): [C][H][W] to [C]; a Flatten after it is free.</summary>
internal sealed unsafe class GlobalAvgPoolUnit(int channels, int height, int width, int batch, NativeArena arena)
    : MapUnit(channels, height, width, channels, batch, arena)
{
    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters)
    {
        for (int i = from; i < to; i++)
            AvgPool2dKernels.GlobalForward(Input + (long)i * InputSize, Channels, Plane, Output + (long)i * OutputSize);
    }

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        for (int i = work.From; i < work.To; i++)
            AvgPool2dKernels.GlobalBackward(OutputGradient + (long)i * OutputSize, Channels, Height, Width,
                InputGradient + (long)i * InputSize, Plane, Width);
    }
}
