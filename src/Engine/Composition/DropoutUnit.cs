namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// Dropout (element mask) or Dropout2d (whole channels), masks from <see cref="DropoutMask"/>: element (or channel) i of
/// the batch keyed by (seed, step, layer), so backward recomputes the forward mask and the thread split does not matter.
/// </summary>
internal sealed unsafe class DropoutUnit : ElementwiseUnit
{
    private readonly double _p;
    private readonly int _channels, _layer;

    /// <summary>Dropout of probability <paramref name="p"/> (channels 0) or Dropout2d (channels: the channel count);
    /// <paramref name="layer"/> keys the masks.</summary>
    public DropoutUnit(double p, int channels, int layer, int size, int batch, NativeArena arena) : base(size, batch, arena)
    {
        _p = p;
        _channels = channels;
        _layer = layer;
    }

    public override void Forward(int phase, in ChunkWork work) =>
        Apply(Input, Output, work.From, work.To, DropoutMask.Key(work.Seed, work.Step, _layer));

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient != null) Apply(OutputGradient, InputGradient, work.From, work.To, DropoutMask.Key(work.Seed, work.Step, _layer));
    }

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        new Span<float>(Input + (long)from * InputSize, (to - from) * InputSize)
            .CopyTo(new Span<float>(Output + (long)from * InputSize, (to - from) * InputSize));

    // Forward and backward are the same: multiply by keep / (1 - p).
    private void Apply(float* source, float* target, int from, int to, uint key)
    {
        int size = InputSize;
        new Span<float>(source + (long)from * size, (to - from) * size).CopyTo(new Span<float>(target + (long)from * size, (to - from) * size));
        if (_p == 0) return;
        for (int i = from; i < to; i++)
        {
            if (_channels == 0) DropoutMask.Apply(target + (long)i * size, size, (uint)(i * size), key, _p);
            else DropoutMask.ApplyChannels(target + (long)i * size, _channels, size / _channels, (uint)(i * _channels), key, _p);
        }
    }
}
