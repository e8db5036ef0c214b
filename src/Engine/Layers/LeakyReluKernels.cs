namespace Mnist.Dsl.Engine.Layers;

/// <summary>LeakyReLU: y = x where x &gt; 0, else slope · x; its gradient dy where x &gt; 0, else slope · dy (PyTorch's at 0: the slope).</summary>
internal static unsafe class LeakyReluKernels
{
    public static void Forward(float* x, float* y, int count, float slope) =>
        VectorPaths.Elementwise(new SlopeLanes(x, x, y, count, slope));

    /// <summary>dx from the input x (not the output: a negative slope flips the output's sign).</summary>
    public static void Backward(float* x, float* dy, float* dx, int count, float slope) =>
        VectorPaths.Elementwise(new SlopeLanes(x, dy, dx, count, slope));

    /// <summary>target = value where sign &gt; 0, else slope · value: the forward (sign and value both x) and the backward.</summary>
    private readonly struct SlopeLanes(float* sign, float* value, float* target, int count, float slope) : IElementwiseKernel
    {
        public int Length => count;

        public void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            var v = TOps.Load(value + i);
            TOps.Store(target + i, TOps.Select(TOps.GreaterThan(TOps.Load(sign + i), TOps.Zero), v, TOps.Multiply(v, TOps.Broadcast(slope))));
        }
    }
}
