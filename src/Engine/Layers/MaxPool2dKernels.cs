using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

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
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++)
                        {
                            float v = window[ky * width + kx];
                            if (v > best || float.IsNaN(v)) { best = v; at = ky * kernel + kx; }
                        }
                    int o = (c * ho + oy) * wo + ox;
                    y[o] = best;
                    argmax[o] = (byte)at;
                }
        }
    }

    // The common MaxPool2d(2). The generic loop nest cost 8% of a DefaultNet step and a branchy scalar one still 6%
    // (the winner of random data mispredicts); this one compares four windows at a time without branches.
    // Same scan order and the same strict comparison (NaN wins), so the same first-maximum rule.
    private static void Forward2x2(float* x, int channels, int height, int width, float* y, byte* argmax)
    {
        int ho = height / 2, wo = width / 2;
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < ho; oy++)
            {
                float* r0 = x + (c * height + 2 * oy) * width;
                float* r1 = r0 + width;
                float* yo = y + (c * ho + oy) * wo;
                byte* ao = argmax + (c * ho + oy) * wo;
                int ox = 0;
                if (VectorPaths.On && Sse.IsSupported && wo >= 4)
                {
                    for (; ox + 4 <= wo; ox += 4) Forward4(r0, r1, ox, yo, ao);
                    // The last windows of a row (13 of 26 columns: one) as four that overlap the ones before: they
                    // are computed again to the same values, without the scalar loop's mispredicted branches.
                    if (ox < wo)
                    {
                        Forward4(r0, r1, wo - 4, yo, ao);
                        ox = wo;
                    }
                }
                for (; ox < wo; ox++)
                {
                    float best = r0[2 * ox];
                    int at = 0;
                    float v = r0[2 * ox + 1];
                    if (v > best || float.IsNaN(v)) { best = v; at = 1; }
                    v = r1[2 * ox];
                    if (v > best || float.IsNaN(v)) { best = v; at = 2; }
                    v = r1[2 * ox + 1];
                    if (v > best || float.IsNaN(v)) { best = v; at = 3; }
                    yo[ox] = best;
                    ao[ox] = (byte)at;
                }
            }
    }

    // Windows ox to ox + 3 of one output row: even and odd columns of each input row are the four taps.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Forward4(float* r0, float* r1, int ox, float* yo, byte* ao)
    {
        Vector128<float> top0 = Sse.LoadVector128(r0 + 2 * ox), top1 = Sse.LoadVector128(r0 + 2 * ox + 4);
        Vector128<float> bottom0 = Sse.LoadVector128(r1 + 2 * ox), bottom1 = Sse.LoadVector128(r1 + 2 * ox + 4);
        var best = Sse.Shuffle(top0, top1, 0b10_00_10_00);
        var at = Vector128<int>.Zero;
        Take(ref best, ref at, Sse.Shuffle(top0, top1, 0b11_01_11_01), 1);
        Take(ref best, ref at, Sse.Shuffle(bottom0, bottom1, 0b10_00_10_00), 2);
        Take(ref best, ref at, Sse.Shuffle(bottom0, bottom1, 0b11_01_11_01), 3);
        best.Store(yo + ox);
        ao[ox] = (byte)at.GetElement(0);
        ao[ox + 1] = (byte)at.GetElement(1);
        ao[ox + 2] = (byte)at.GetElement(2);
        ao[ox + 3] = (byte)at.GetElement(3);
    }

    private static void Take(ref Vector128<float> best, ref Vector128<int> at, Vector128<float> value, int tap)
    {
        var wins = Vector128.GreaterThan(value, best) | ~Vector128.Equals(value, value);
        best = Vector128.ConditionalSelect(wins, value, best);
        at = Vector128.ConditionalSelect(wins.AsInt32(), Vector128.Create(tap), at);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static void Backward4(float* g, byte* a, int ox, float* r0, float* r1)
    {
        var at = Sse41.ConvertToVector128Int32(a + ox);
        var v = Sse.LoadVector128(g + ox);
        var t0 = Vector128.ConditionalSelect(Vector128.Equals(at, Vector128<int>.Zero).AsSingle(), v, Vector128<float>.Zero);
        var t1 = Vector128.ConditionalSelect(Vector128.Equals(at, Vector128.Create(1)).AsSingle(), v, Vector128<float>.Zero);
        var t2 = Vector128.ConditionalSelect(Vector128.Equals(at, Vector128.Create(2)).AsSingle(), v, Vector128<float>.Zero);
        var t3 = Vector128.ConditionalSelect(Vector128.Equals(at, Vector128.Create(3)).AsSingle(), v, Vector128<float>.Zero);
        Sse.UnpackLow(t0, t1).Store(r0 + 2 * ox);
        Sse.UnpackHigh(t0, t1).Store(r0 + 2 * ox + 4);
        Sse.UnpackLow(t2, t3).Store(r1 + 2 * ox);
        Sse.UnpackHigh(t2, t3).Store(r1 + 2 * ox + 4);
    }

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
    // elsewhere) instead of clearing everything and scattering with a division per output (7% of a step).
    private static void Backward2x2(float* dy, byte* argmax, int channels, int height, int width, float* dx)
    {
        int ho = height / 2, wo = width / 2;
        if ((height & 1) != 0 || (width & 1) != 0) new System.Span<float>(dx, channels * height * width).Clear();
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < ho; oy++)
            {
                float* r0 = dx + (c * height + 2 * oy) * width;
                float* r1 = r0 + width;
                float* g = dy + (c * ho + oy) * wo;
                byte* a = argmax + (c * ho + oy) * wo;
                int ox = 0;
                // Four windows per step without branches (a branch per tap mispredicted on random winners: 8% of a step);
                // a row's last windows as four overlapping the ones before, written again with the same values.
                if (VectorPaths.On && Sse41.IsSupported && wo >= 4)
                {
                    for (; ox + 4 <= wo; ox += 4) Backward4(g, a, ox, r0, r1);
                    if (ox < wo)
                    {
                        Backward4(g, a, wo - 4, r0, r1);
                        ox = wo;
                    }
                }
                for (; ox < wo; ox++)
                {
                    float v = g[ox];
                    int at = a[ox];
                    r0[2 * ox] = at == 0 ? v : 0f;
                    r0[2 * ox + 1] = at == 1 ? v : 0f;
                    r1[2 * ox] = at == 2 ? v : 0f;
                    r1[2 * ox + 1] = at == 3 ? v : 0f;
                }
            }
    }
}
