namespace Mnist.Dsl.Engine.Composition;

/// <summary>LeakyReLU on its own; backward reads its input (the previous unit's output, which stays until backward).</summary>
internal sealed unsafe class LeakyReluUnit(int size, float negativeSlope, int batch, NativeArena arena) : ElementwiseUnit(size, batch, arena)
{
    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        LeakyReluKernels.Forward(Input + (long)from * InputSize, Output + (long)from * OutputSize, (to - from) * InputSize, negativeSlope);

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        long at = (long)work.From * InputSize;
        LeakyReluKernels.Backward(Input + at, OutputGradient + at, InputGradient + at, (work.To - work.From) * InputSize, negativeSlope);
    }
}

// The blueprint method the LeakyReLU record's engine call names (LeakyReLU(0.01)).
public sealed partial class TrainerBlueprint
{
    /// <summary>LeakyReLU: x where x &gt; 0, else <paramref name="negativeSlope"/> · x.</summary>
    public TrainerBlueprint LeakyReLU(double negativeSlope) => ShapeKeeping(new LeakyReluSpec(Size, (float)negativeSlope));

    private sealed record LeakyReluSpec(int Size, float NegativeSlope) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new LeakyReluUnit(Size, NegativeSlope, c.Batch, c.Arena);
    }
}
