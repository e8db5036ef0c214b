namespace Mnist.Dsl.Engine.Layers;

/// <summary>ReLU on its own (where no convolution epilogue or BatchNorm backward absorbs it).</summary>
internal static unsafe class ReluKernels
{
    /// <summary>y = max(x, 0) (0 for NaN, as x &gt; 0 ? x : 0).</summary>
    public static void Forward(float* x, float* y, int count) => VectorPaths.Elementwise(new ForwardLanes(x, y, count));

    /// <summary>dx = dy where y > 0 (y the output; PyTorch's gradient at 0 is 0 too).</summary>
    public static void Backward(float* y, float* dy, float* dx, int count) => VectorPaths.Elementwise(new BackwardLanes(y, dy, dx, count));

    private readonly struct ForwardLanes(float* x, float* y, int count) : IElementwiseKernel
    {
        public int Length => count;

        public void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV> =>
            TOps.Store(y + i, TOps.Max(TOps.Load(x + i), TOps.Zero));
    }

    private readonly struct BackwardLanes(float* y, float* dy, float* dx, int count) : IElementwiseKernel
    {
        public int Length => count;

        public void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV> =>
            TOps.Store(dx + i, TOps.Select(TOps.GreaterThan(TOps.Load(y + i), TOps.Zero), TOps.Load(dy + i), TOps.Zero));
    }
}
