namespace Mnist.Dsl.Engine.Composition;

/// <summary>A unit whose output has its input's size, with output and gradient buffers of its own.</summary>
internal abstract unsafe class ElementwiseUnit : TrainUnit
{
    protected ElementwiseUnit(int size, int batch, NativeArena arena)
    {
        InputSize = OutputSize = size;
        Output = arena.Floats((long)batch * size + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * size + Conv2dGeometry.Slack);
    }
}
