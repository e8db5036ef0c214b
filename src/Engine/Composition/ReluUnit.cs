namespace Mnist.Dsl.Engine.Composition;

/// <summary>ReLU on its own; backward masks by the output (y > 0), PyTorch's gradient at 0 being 0 too.</summary>
internal sealed unsafe class ReluUnit(int size, int batch, NativeArena arena) : ElementwiseUnit(size, batch, arena)
{
    public override void Forward(int phase, in ChunkWork work) => Evaluate(work.From, work.To, work.Thread, work.Parameters);

    public override void Evaluate(int from, int to, int thread, float* parameters) =>
        ReluKernels.Forward(Input + (long)from * InputSize, Output + (long)from * OutputSize, (to - from) * InputSize);

    public override void Backward(int phase, in ChunkWork work)
    {
        if (InputGradient == null) return;
        long at = (long)work.From * InputSize;
        ReluKernels.Backward(Output + at, OutputGradient + at, InputGradient + at, (work.To - work.From) * InputSize);
    }
}
