namespace Mnist.Dsl.Engine.Composition;

/// <summary>Tanh on its own; backward reads its own output (1 − y²), which stays until backward.</summary>
internal sealed unsafe class TanhUnit<TV, TOps>(int size, int batch, NativeArena arena) : ElementwiseUnit(size, batch, arena)
    where TV : struct where TOps : struct, IVectorOps<TV>
{
    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        TanhKernels.Forward<TV, TOps>(Input + (long)from * InputSize, Output + (long)from * OutputSize, (to - from) * InputSize);

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        long at = (long)work.From * InputSize;
        TanhKernels.Backward<TV, TOps>(Output + at, OutputGradient + at, InputGradient + at, (work.To - work.From) * InputSize);
    }
}

// The blueprint method the Tanh record's engine call names (Tanh()).
public sealed partial class TrainerBlueprint
{
    /// <summary>Tanh on every value.</summary>
    public TrainerBlueprint Tanh() => ShapeKeeping(new TanhSpec(Size));

    private sealed record TanhSpec(int Size) : UnitSpec
    {
        public override TrainUnit Build<TV, TOps>(in UnitContext c) => new TanhUnit<TV, TOps>(Size, c.Batch, c.Arena);
    }
}
