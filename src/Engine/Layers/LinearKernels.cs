using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// Linear (y = W x + b, W [out][in] as PyTorch stores it) for a run of samples, in vectors of the thread's width
/// (<see cref="VectorPaths"/>) and with the plain loops' bits: every product rounded, then added, in the scalar loops'
/// order (a fused or reordered sum moved the rounding noise of SampleNetworkTrainerTests' second step past its
/// tolerance). Forward: 8 samples across the lanes (their features interleaved by <see cref="LaneTranspose"/>), each
/// lane the scalar dot product; backward: 8 features a vector, each the scalar update. The plain loops' dependent scalar
/// sums ran random6's 2,197-feature Linear(10) at about 1 GFLOP/s, 70% of its step.
/// </summary>
internal static unsafe class LinearKernels
{
    /// <summary>Floats of the interleaving scratch <see cref="Forward"/> takes for a run of 8 samples.</summary>
    public static int Scratch(int inFeatures) => 8 * inFeatures;

    /// <summary>
    /// y = W x + b for <paramref name="count"/> samples (sample k's x and y at k * inFeatures and k * outFeatures);
    /// <paramref name="scratch"/> (<see cref="Scratch"/> floats, or null: one sample at a time) holds 8 samples' features.
    /// </summary>
    public static void Forward(float* x, int inFeatures, float* weight, float* bias, int outFeatures, float* y, int count = 1,
        float* scratch = null) =>
        VectorPaths.Run(new ForwardKernel(x, inFeatures, weight, bias, outFeatures, y, count, scratch));

    /// <summary>
    /// For <paramref name="count"/> samples (sample k's x, dy and dx at k * inFeatures, k * outFeatures, k * inFeatures):
    /// accumulates dW += dy x^T and db += dy, sample by sample; overwrites dx = W^T dy unless dx is null. Each weight's
    /// gradient is loaded and stored once for the samples, its sum taken in their order as one at a time would.
    /// </summary>
    public static void Backward(float* x, int inFeatures, float* weight, int outFeatures, float* dy,
        float* weightGradient, float* biasGradient, float* dx, int count = 1) =>
        VectorPaths.Run(new BackwardKernel(x, inFeatures, weight, outFeatures, dy, weightGradient, biasGradient, dx, count));

    private readonly struct ForwardKernel(float* x, int inFeatures, float* weight, float* bias, int outFeatures, float* y, int count,
        float* scratch) : IWidthKernel
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int k = 0;
            if (TOps.Count == 8 && scratch != null)
                for (; k + 8 <= count; k += 8) Samples<TV, TOps>(k);
            for (; k < count; k++) Sample(k);
        }

        /// <summary>Samples k .. k + 7, one a lane, four outputs at a time (four independent sums).</summary>
        private void Samples<TV, TOps>(int k) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            LaneTranspose.Together(x + (long)k * inFeatures, inFeatures, 8, inFeatures, scratch, 8);
            float* lanes = stackalloc float[8];
            int o = 0;
            for (; o + 4 <= outFeatures; o += 4)
            {
                float* w0 = weight + (long)o * inFeatures, w1 = w0 + inFeatures, w2 = w1 + inFeatures, w3 = w2 + inFeatures;
                TV s0 = Start<TV, TOps>(o), s1 = Start<TV, TOps>(o + 1), s2 = Start<TV, TOps>(o + 2), s3 = Start<TV, TOps>(o + 3);
                for (int i = 0; i < inFeatures; i++)
                {
                    TV features = TOps.Load(scratch + i * 8);
                    s0 = TOps.Add(s0, TOps.Multiply(TOps.Broadcast(w0[i]), features));
                    s1 = TOps.Add(s1, TOps.Multiply(TOps.Broadcast(w1[i]), features));
                    s2 = TOps.Add(s2, TOps.Multiply(TOps.Broadcast(w2[i]), features));
                    s3 = TOps.Add(s3, TOps.Multiply(TOps.Broadcast(w3[i]), features));
                }
                Scatter<TV, TOps>(s0, k, o, lanes);
                Scatter<TV, TOps>(s1, k, o + 1, lanes);
                Scatter<TV, TOps>(s2, k, o + 2, lanes);
                Scatter<TV, TOps>(s3, k, o + 3, lanes);
            }
            for (; o < outFeatures; o++)
            {
                float* w = weight + (long)o * inFeatures;
                TV sum = Start<TV, TOps>(o);
                for (int i = 0; i < inFeatures; i++) sum = TOps.Add(sum, TOps.Multiply(TOps.Broadcast(w[i]), TOps.Load(scratch + i * 8)));
                Scatter<TV, TOps>(sum, k, o, lanes);
            }
        }

        private TV Start<TV, TOps>(int o) where TV : struct where TOps : struct, IVectorOps<TV> =>
            bias == null ? TOps.Zero : TOps.Broadcast(bias[o]);

        private void Scatter<TV, TOps>(TV sums, int k, int o, float* lanes) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            TOps.Store(lanes, sums);
            for (int j = 0; j < 8; j++) y[(long)(k + j) * outFeatures + o] = lanes[j];
        }

        /// <summary>One sample, the plain loops.</summary>
        private void Sample(int k)
        {
            float* xk = x + (long)k * inFeatures, yk = y + (long)k * outFeatures;
            for (int o = 0; o < outFeatures; o++)
            {
                float* w = weight + (long)o * inFeatures;
                float sum = bias == null ? 0 : bias[o];
                for (int i = 0; i < inFeatures; i++) sum += w[i] * xk[i];
                yk[o] = sum;
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
                    sum = TOps.Add(sum, TOps.Multiply(TOps.Broadcast(dy[k * outFeatures + o]), TOps.Load(x + (long)k * inFeatures + i)));
                TOps.Store(gw, sum);
            }
            if (dx == null) return;
            for (int k = 0; k < count; k++)
            {
                TV sum = TOps.Zero;
                for (int o = 0; o < outFeatures; o++)
                    sum = TOps.Add(sum, TOps.Multiply(TOps.Broadcast(dy[k * outFeatures + o]), TOps.Load(weight + (long)o * inFeatures + i)));
                TOps.Store(dx + (long)k * inFeatures + i, sum);
            }
        }
    }
}
