using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// MaxPool2d (kernel k, stride s, no padding) for one image [C][H][W]. Keeps the winning tap (ky k + kx, one byte)
/// for backward. PyTorch's tie rule: scan row by row and replace only on a strictly greater value (or NaN), so the
/// first maximum wins.
/// </summary>
internal static unsafe class MaxPool2dKernels
{
    public static void Forward(float* x, int channels, int height, int width, int kernel, int stride, float* y, byte* argmax)
    {
        if (kernel == 2 && stride == 2)
        {
            Forward2x2(x, channels, height, width, y, argmax);
            return;
        }
        if (stride == 1 && kernel <= 15)
        {
            VectorPaths.Run(new StrideOneWindows(x, y, argmax, channels, height, width, kernel));
            return;
        }
        Scan(x, channels, height, width, kernel, stride, y, argmax);
    }

    /// <summary>The plain scan, one window at a time.</summary>
    private static void Scan(float* x, int channels, int height, int width, int kernel, int stride, float* y, byte* argmax)
    {
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1;
        for (int c = 0; c < channels; c++)
        {
            float* plane = x + c * height * width;
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    float* window = plane + oy * stride * width + ox * stride;
                    float best = window[0];
                    int at = 0;
                    // Branch-free (a select, not a jump): random data's winners mispredict a branch at every tap.
                    for (int ky = 0, tap = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++, tap++)
                        {
                            float value = window[ky * width + kx];
                            bool wins = value > best | float.IsNaN(value);
                            best = wins ? value : best;
                            at = wins ? tap : at;
                        }
                    int o = (c * ho + oy) * wo + ox;
                    y[o] = best;
                    argmax[o] = (byte)at;
                }
        }
    }

    // The common MaxPool2d(2). The generic loop nest cost 8% of a DefaultNet step and a branchy scalar one still 6%
    // (the winner of random data mispredicts); this one compares a vector of windows at a time without branches.
    // Same scan order and the same strict comparison (NaN wins), so the same first-maximum rule.
    private static void Forward2x2(float* x, int channels, int height, int width, float* y, byte* argmax) =>
        VectorPaths.Run(new Rows(x, y, argmax, channels, height, width, forward: true));

    /// <summary>dx (overwritten) = dy routed to each window's winning tap (added where windows overlap).</summary>
    public static void Backward(float* dy, byte* argmax, int channels, int height, int width, int kernel, int stride, float* dx)
    {
        if (kernel == 2 && stride == 2)
        {
            Backward2x2(dy, argmax, channels, height, width, dx);
            return;
        }

        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1;
        new System.Span<float>(dx, channels * height * width).Clear();
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    int o = (c * ho + oy) * wo + ox;
                    int at = argmax[o];
                    dx[(c * height + oy * stride + at / kernel) * width + ox * stride + at % kernel] += dy[o];
                }
    }

    // MaxPool2d(2)'s windows tile the input: write each window's four values (the gradient at the winner, zeros
    // elsewhere) instead of clearing everything and scattering with a division per output (7% of a step). A branch per
    // tap mispredicted on random winners (8% of a step): a vector of windows at a time, without branches.
    private static void Backward2x2(float* dy, byte* argmax, int channels, int height, int width, float* dx)
    {
        if ((height & 1) != 0 || (width & 1) != 0) new System.Span<float>(dx, channels * height * width).Clear();
        VectorPaths.Run(new Rows(dx, dy, argmax, channels, height, width, forward: false));
    }

    /// <summary>
    /// Every output row of MaxPool2d(2), forward (<paramref name="map"/> the input, <paramref name="pooled"/> the output)
    /// or backward (<paramref name="map"/> the input's gradient, <paramref name="pooled"/> the output's). Windows in
    /// vectors of the widest width that fits the row (512, 256 or 128 bits, never wider than the thread's), the row's
    /// last ones as a vector overlapping the ones before (computed again to the same values); rows narrower than 4
    /// windows, and the scalar width, one window at a time.
    /// </summary>
    private readonly struct Rows(float* map, float* pooled, byte* argmax, int channels, int height, int width, bool forward) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int ho = height / 2, wo = width / 2;
            float* taps = stackalloc float[16];
            for (int c = 0; c < channels; c++)
                for (int oy = 0; oy < ho; oy++)
                {
                    float* r0 = map + (c * height + 2 * oy) * width;
                    int o = (c * ho + oy) * wo;
                    if (TOps.Count > 1 && wo >= TOps.Count) Row<TV, TOps>(r0, o, wo, taps);
                    else if (TOps.Count > 8 && wo >= 8) Row<Vector256<float>, Vec256>(r0, o, wo, taps);
                    else if (TOps.Count > 4 && wo >= 4) Row<Vector128<float>, Vec128>(r0, o, wo, taps);
                    else Row<float, VecScalar>(r0, o, wo, taps);
                }
        }

        private void Row<TV, TOps>(float* r0, int o, int wo, float* taps) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int ox = 0;
            for (; ox + TOps.Count <= wo; ox += TOps.Count) Windows<TV, TOps>(r0, o, ox, taps);
            if (ox < wo) Windows<TV, TOps>(r0, o, wo - TOps.Count, taps);
        }

        /// <summary>Windows ox to ox + TOps.Count - 1 of one output row: even and odd columns of each input row are the four taps.</summary>
        private void Windows<TV, TOps>(float* r0, int o, int ox, float* taps) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            float* r1 = r0 + width;
            byte* at = argmax + o + ox;
            if (forward)
            {
                TOps.Deinterleave(r0 + 2 * ox, out var best, out var top1);
                TOps.Deinterleave(r1 + 2 * ox, out var bottom0, out var bottom1);
                var tap = TOps.Zero;
                Take<TV, TOps>(ref best, ref tap, top1, 1);
                Take<TV, TOps>(ref best, ref tap, bottom0, 2);
                Take<TV, TOps>(ref best, ref tap, bottom1, 3);
                TOps.Store(pooled + o + ox, best);
                TOps.Store(taps, tap);
                for (int j = 0; j < TOps.Count; j++) at[j] = (byte)taps[j];
                return;
            }
            for (int j = 0; j < TOps.Count; j++) taps[j] = at[j];
            var winner = TOps.Load(taps);
            var g = TOps.Load(pooled + o + ox);
            TOps.Interleave(r0 + 2 * ox, Routed<TV, TOps>(g, winner, 0), Routed<TV, TOps>(g, winner, 1));
            TOps.Interleave(r1 + 2 * ox, Routed<TV, TOps>(g, winner, 2), Routed<TV, TOps>(g, winner, 3));
        }

        private static void Take<TV, TOps>(ref TV best, ref TV tap, TV value, float index) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            var wins = TOps.GreaterOrNaN(value, best);
            best = TOps.Select(wins, value, best);
            tap = TOps.Select(wins, TOps.Broadcast(index), tap);
        }

        /// <summary>The gradient where the window's winner is <paramref name="index"/>, else 0.</summary>
        private static TV Routed<TV, TOps>(TV gradient, TV winner, float index) where TV : struct where TOps : struct, IVectorOps<TV> =>
            TOps.Select(TOps.Equal(winner, TOps.Broadcast(index)), gradient, TOps.Zero);
    }

    /// <summary>
    /// MaxPool2d of stride 1 a vector of windows at a time: window n of the plane read as one row (windows n .. n + v - 1
    /// at plane + n, tap (ky, kx) ky W + kx further), whatever the output's width, the windows that wrap past a row's
    /// end computed and dropped; the last vector moved back to end at the last window (it recomputes a few, to the same
    /// values). The scalar scan took 14 cycles a tap (one dependent compare-and-select chain per window: random9's
    /// MaxPool2d(4, Stride = 1) on 5x5 was a third of its step). Same scan order and strict comparison (NaN wins).
    /// </summary>
    private readonly struct StrideOneWindows(float* x, float* y, byte* argmax, int channels, int height, int width, int kernel) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int ho = height - kernel + 1, wo = width - kernel + 1, windows = (ho - 1) * width + wo;
            if (TOps.Count > 1 && windows >= TOps.Count) Windows<TV, TOps>(windows, ho, wo);
            else if (TOps.Count > 4 && windows >= 4) Windows<Vector128<float>, Vec128>(windows, ho, wo);
            else Scan(x, channels, height, width, kernel, 1, y, argmax);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Windows<TV, TOps>(int windows, int ho, int wo) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int v = TOps.Count;
            float* best = stackalloc float[v], taps = stackalloc float[v];
            for (int c = 0; c < channels; c++)
            {
                float* plane = x + c * height * width;
                for (int n = 0; ; n += v)
                {
                    int at = Math.Min(n, windows - v);
                    TV max = TOps.Load(plane + at), tap = TOps.Zero;
                    for (int ky = 0, index = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++, index++)
                        {
                            TV value = TOps.Load(plane + at + ky * width + kx), wins = TOps.GreaterOrNaN(value, max);
                            max = TOps.Select(wins, value, max);
                            tap = TOps.Select(wins, TOps.Broadcast(index), tap);
                        }
                    TOps.Store(best, max);
                    TOps.Store(taps, tap);
                    for (int j = 0; j < v; j++)
                    {
                        int oy = (at + j) / width, ox = (at + j) % width;
                        if (ox >= wo) continue;
                        int o = (c * ho + oy) * wo + ox;
                        y[o] = best[j];
                        argmax[o] = (byte)taps[j];
                    }
                    if (at == windows - v) break;
                }
            }
        }
    }
}
