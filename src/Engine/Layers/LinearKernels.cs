using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// Linear for one sample: y = W x + b, W [out][in] as PyTorch stores it, in vectors of the thread's width
/// (<see cref="VectorPaths"/>). The plain loops' dependent scalar sums ran random6's 2,197-feature Linear(10) at about
/// 1 GFLOP/s, 70% of its step; the scalar width still runs them, in their order.
/// </summary>
internal static unsafe class LinearKernels
{
    public static void Forward(float* x, int inFeatures, float* weight, float* bias, int outFeatures, float* y) =>
        VectorPaths.Run(new ForwardKernel(x, inFeatures, weight, bias, outFeatures, y));

    /// <summary>
    /// For <paramref name="count"/> samples (sample k's x, dy and dx at k * inFeatures, k * outFeatures, k * inFeatures):
    /// accumulates dW += dy x^T and db += dy, sample by sample; overwrites dx = W^T dy unless dx is null. Each weight's
    /// gradient is loaded and stored once for the samples, its sum taken in their order as one at a time would.
    /// </summary>
    public static void Backward(float* x, int inFeatures, float* weight, int outFeatures, float* dy,
        float* weightGradient, float* biasGradient, float* dx, int count = 1) =>
        VectorPaths.Run(new BackwardKernel(x, inFeatures, weight, outFeatures, dy, weightGradient, biasGradient, dx, count));

    private readonly struct ForwardKernel(float* x, int inFeatures, float* weight, float* bias, int outFeatures, float* y) : IWidthKernel
    {
        /// <summary>Each output's dot product in four vector sums (added in a fixed order), then the rest one by one.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int v = TOps.Count, whole = inFeatures / (4 * v) * (4 * v);
            for (int o = 0; o < outFeatures; o++)
            {
                float* w = weight + (long)o * inFeatures;
                float sum = bias == null ? 0 : bias[o];
                int i = 0;
                if (v > 1)
                {
                    TV s0 = TOps.Zero, s1 = TOps.Zero, s2 = TOps.Zero, s3 = TOps.Zero;
                    for (; i < whole; i += 4 * v)
                    {
                        s0 = TOps.MulAdd(TOps.Load(w + i), TOps.Load(x + i), s0);
                        s1 = TOps.MulAdd(TOps.Load(w + i + v), TOps.Load(x + i + v), s1);
                        s2 = TOps.MulAdd(TOps.Load(w + i + 2 * v), TOps.Load(x + i + 2 * v), s2);
                        s3 = TOps.MulAdd(TOps.Load(w + i + 3 * v), TOps.Load(x + i + 3 * v), s3);
                    }
                    sum += TOps.Sum(TOps.Add(TOps.Add(s0, s1), TOps.Add(s2, s3)));
                }
                for (; i < inFeatures; i++) sum += w[i] * x[i];
                y[o] = sum;
            }
        }
    }

    private readonly struct BackwardKernel(float* x, int inFeatures, float* weight, int outFeatures, float* dy,
        float* weightGradient, float* biasGradient, float* dx, int count) : IWidthKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int v = TOps.Count, whole = inFeatures / v * v;
            for (int i = 0; i < whole; i += v) Features<TV, TOps>(i);
            for (int i = whole; i < inFeatures; i++) Features<float, VecScalar>(i);
            if (biasGradient != null)
                for (int k = 0; k < count; k++)
                    for (int o = 0; o < outFeatures; o++) biasGradient[o] += dy[k * outFeatures + o];
        }

        /// <summary>Input features i .. i + TOps.Count - 1: their weight gradients over the samples, then each sample's dx.</summary>
        private void Features<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            for (int o = 0; o < outFeatures; o++)
            {
                float* gw = weightGradient + (long)o * inFeatures + i;
                TV sum = TOps.Load(gw);
                for (int k = 0; k < count; k++)
                    sum = TOps.MulAdd(TOps.Broadcast(dy[k * outFeatures + o]), TOps.Load(x + (long)k * inFeatures + i), sum);
                TOps.Store(gw, sum);
            }
            if (dx == null) return;
            for (int k = 0; k < count; k++)
            {
                TV sum = TOps.Zero;
                for (int o = 0; o < outFeatures; o++)
                    sum = TOps.MulAdd(TOps.Broadcast(dy[k * outFeatures + o]), TOps.Load(weight + (long)o * inFeatures + i), sum);
                TOps.Store(dx + (long)k * inFeatures + i, sum);
            }
        }
    }
}
