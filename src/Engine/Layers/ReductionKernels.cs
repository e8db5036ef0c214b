namespace Mnist.Dsl.Engine.Layers;

/// <summary>The step's gradient reduction: each chunk's gradient added into the step's, and cleared for the next step.</summary>
internal static unsafe class ReductionKernels
{
    /// <summary>sum[p] += g[p], g[p] = 0 for p in [p0, p1): element by element, so the same sums at every width.</summary>
    public static void AddAndClear(float* g, float* sum, int p0, int p1) => VectorPaths.Elementwise(new AddAndClearLanes(g + p0, sum + p0, p1 - p0));

    private readonly struct AddAndClearLanes(float* g, float* sum, int count) : IElementwiseKernel
    {
        public int Length => count;

        public void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            TOps.Store(sum + i, TOps.Add(TOps.Load(sum + i), TOps.Load(g + i)));
            TOps.Store(g + i, TOps.Zero);
        }
    }
}
