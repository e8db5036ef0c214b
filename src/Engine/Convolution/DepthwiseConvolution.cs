using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Depthwise convolution (groups = in = out channels: one k×k filter per channel) in the wide coordinates of
/// <see cref="WideConvolution{TV,TOps}"/>. There a group of one channel would be a GEMM of one row by k·k columns: one
/// accumulator chain per vector and a call per vector. Here each channel's positions go four vectors at a time, the
/// tap's weight broadcast once for the four, so four independent chains hide the FMA latency. The same loop computes
/// the input gradient (the output gradient through the flipped taps, as the column offsets give them), and the weight
/// gradient sums dy·x per tap over positions and images, four taps per pass over dy.
/// </summary>
public static unsafe class DepthwiseConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>
    /// output[c * outPlane + p] = bias[c] + sum over t of w[c * taps + t] * x[c * inPlane + p + columns[t]], for p in
    /// [0, positions), positions a multiple of the vector width; <paramref name="weight"/> is PyTorch's [C][1][k][k].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* x, int inPlane, int* columns, int taps, float* weight, float* bias, int channels,
        float* output, int outPlane, int positions)
    {
        int v = TOps.Count;
        for (int c = 0; c < channels; c++)
        {
            float* xc = x + (nint)c * inPlane, w = weight + c * taps, o = output + (nint)c * outPlane;
            TV b = bias == null ? TOps.Zero : TOps.Broadcast(bias[c]);
            int p = 0;
            for (; p + 4 * v <= positions; p += 4 * v)
            {
                TV a0 = b, a1 = b, a2 = b, a3 = b;
                float* xp = xc + p;
                for (int t = 0; t < taps; t++)
                {
                    float* xt = xp + columns[t];
                    TV wt = TOps.Broadcast(w[t]);
                    a0 = TOps.MulAdd(TOps.Load(xt), wt, a0);
                    a1 = TOps.MulAdd(TOps.Load(xt + v), wt, a1);
                    a2 = TOps.MulAdd(TOps.Load(xt + 2 * v), wt, a2);
                    a3 = TOps.MulAdd(TOps.Load(xt + 3 * v), wt, a3);
                }
                TOps.Store(o + p, a0); TOps.Store(o + p + v, a1); TOps.Store(o + p + 2 * v, a2); TOps.Store(o + p + 3 * v, a3);
            }
            for (; p < positions; p += v)
            {
                TV a = b;
                for (int t = 0; t < taps; t++) a = TOps.MulAdd(TOps.Load(xc + p + columns[t]), TOps.Broadcast(w[t]), a);
                TOps.Store(o + p, a);
            }
        }
    }

    /// <summary>
    /// grad[c * taps + t] += sum over images i and p in [0, positions) of dy_i[c * dyPlane + p] * x_i[c * xPlane + p + columns[t]],
    /// image i's buffers at dy + i * dyStride and x + i * xStride (as <see cref="WideConvolution{TV,TOps}.WeightGradient"/>).
    /// dy must be zero at the thrown-away positions. Each lane sums its (image, position) terms in order, then
    /// <see cref="IVectorOps{TV}.Sum"/>'s lane order: the same bits for the same chunk.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(float* dy, nint dyStride, int dyPlane, float* x, nint xStride, int xPlane, int images, int channels,
        int* columns, int taps, float* grad, int positions)
    {
        for (int c = 0; c < channels; c++)
        {
            float* d = dy + (nint)c * dyPlane, xc = x + (nint)c * xPlane, g = grad + c * taps;
            int t = 0;
            for (; t + 4 <= taps; t += 4) Grad1x4(d, dyStride, xc, xStride, images, columns + t, g + t, positions);
            for (; t < taps; t++) g[t] += Dot(d, dyStride, xc + columns[t], xStride, images, positions);
        }
    }

    // Four taps per pass: one dy load feeds four FMAs on four independent accumulators.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Grad1x4(float* dy, nint dyStride, float* x, nint xStride, int images, int* columns, float* grad, int positions)
    {
        TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        float* x0 = x + columns[0], x1 = x + columns[1], x2 = x + columns[2], x3 = x + columns[3];
        for (int i = 0; i < images; i++)
        {
            for (int p = 0; p < positions; p += TOps.Count)
            {
                TV g = TOps.Load(dy + p);
                a0 = TOps.MulAdd(g, TOps.Load(x0 + p), a0);
                a1 = TOps.MulAdd(g, TOps.Load(x1 + p), a1);
                a2 = TOps.MulAdd(g, TOps.Load(x2 + p), a2);
                a3 = TOps.MulAdd(g, TOps.Load(x3 + p), a3);
            }
            dy += dyStride;
            x0 += xStride; x1 += xStride; x2 += xStride; x3 += xStride;
        }
        grad[0] += TOps.Sum(a0); grad[1] += TOps.Sum(a1); grad[2] += TOps.Sum(a2); grad[3] += TOps.Sum(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* dy, nint dyStride, float* x, nint xStride, int images, int positions)
    {
        TV acc = TOps.Zero;
        for (int i = 0; i < images; i++, dy += dyStride, x += xStride)
            for (int p = 0; p < positions; p += TOps.Count) acc = TOps.MulAdd(TOps.Load(dy + p), TOps.Load(x + p), acc);
        return TOps.Sum(acc);
    }
}
