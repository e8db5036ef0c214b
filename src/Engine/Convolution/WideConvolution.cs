using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// The one hot loop of every stride-1 convolution, forward and backward-data alike, in "wide" coordinates: an
/// output position p indexes the padded input plane's row stride, so the input a tap (ci, ky, kx) reads for a run of
/// consecutive outputs is itself a run of consecutive floats at p + column offset. No im2col buffer, every load is a
/// plain vector load, and the kernel is a register-blocked GEMM over (output channel) x (position) with the
/// (input channel, tap) "columns" as its depth. The price: the Wp - Wo positions at the end of each row are computed
/// and thrown away (8% for a 3x3 on 26 columns); the caller copies valid columns out.
/// A grouped convolution (PyTorch's groups) is the same GEMM block-diagonally: group g reads its input channels at
/// x + g * xGroupStride and the next Cout/G packed rows, so the kernels loop over groups themselves; a group's channels
/// past the last block of four (a depthwise convolution's only channel) go four vectors of positions at a time.
/// </summary>
internal static unsafe partial class WideConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>
    /// output[co * outPlane + p] = bias[co] + sum over j of w[co, j] * x[p + columns[j]], for p in [0, positions),
    /// positions a multiple of the vector width, for <paramref name="groups"/> groups of <paramref name="outChannels"/>
    /// channels each: group g reads x + g * <paramref name="xGroupStride"/>, and its packed weights, bias and output
    /// channels follow group g - 1's. <paramref name="packed"/> holds, per group, blocks of four output channels as
    /// [block][j][4] followed by any remaining channels as [j] each (see <see cref="WeightPacking"/>).
    /// </summary>
    // Hot loops compile straight to optimised code: tiered compilation left the rarely called tail blocks in tier 0
    // (calls for every MulAdd) for whole benchmark runs, 10x slower.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(float* x, nint xGroupStride, int groups, int* columns, int depth, float* packed, int outChannels,
        float* bias, float* output, int outPlane, int positions)
    {
        // Fewer than four channels a group (depthwise, small channel multipliers): every group's channels in one loop,
        // a call per group and per block cost as much as a depthwise 3x3's few FMAs.
        if (outChannels < 4)
        {
            LoneChannels(x, xGroupStride, groups, outChannels, columns, depth, packed, bias, output, outPlane, positions);
            return;
        }
        float* w = packed;
        for (int group = 0; group < groups; group++, x += xGroupStride, w += outChannels * depth, output += (nint)outChannels * outPlane)
            ForwardGroup(x, columns, depth, w, outChannels, bias == null ? null : bias + group * outChannels, output, outPlane, positions, default);
    }

    /// <summary>
    /// <see cref="Forward"/> (no bias) where a block of positions reads only part of the columns: those from
    /// <paramref name="bands"/>.First of its first row to <paramref name="bands"/>.End of its last row. A stride-1 layer's
    /// input gradient skips so the taps whose output-gradient rows lie in the zero border (its columns in kernel-row
    /// order make each row's taps one range); the skipped products are exact zeros, so every sum is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ForwardInBands(float* x, nint xGroupStride, int groups, int* columns, int depth, float* packed, int outChannels,
        float* output, int outPlane, int positions, ColumnBands bands)
    {
        if (outChannels < 4)
        {
            LoneChannels(x, xGroupStride, groups, outChannels, columns, depth, packed, null, output, outPlane, positions);
            return;
        }
        int v = TOps.Count;
        float* w = packed;
        for (int group = 0; group < groups; group++, x += xGroupStride, w += outChannels * depth, output += (nint)outChannels * outPlane)
        {
            // A first or last vector that skips columns goes on its own: in a block of several vectors spanning more
            // rows it would read every column (a 10x10 layer's 7 vectors skip a third, a third and two thirds of the
            // first, sixth and seventh).
            int from = 0, to = positions;
            if (positions > v && Trimmed(bands, 0, depth))
            {
                PeeledVector(x, columns, depth, w, outChannels, output, outPlane, 0, bands);
                from = v;
            }
            if (to - from > v && Trimmed(bands, to - v, depth))
            {
                PeeledVector(x, columns, depth, w, outChannels, output, outPlane, to - v, bands);
                to -= v;
            }
            ForwardGroup(x + from, columns, depth, w, outChannels, null, output + from, outPlane, to - from, bands.From(from));
        }
    }

    private static bool Trimmed(ColumnBands bands, int p, int depth)
    {
        bands.Range(p, TOps.Count, depth, out _, out int columns);
        return columns < depth;
    }

    /// <summary>One vector of positions at <paramref name="p"/>, every channel, on its band's columns: eight channels at a
    /// time (eight chains; four would wait on the FMA latency).</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void PeeledVector(float* x, int* columns, int depth, float* w, int outChannels, float* output, int outPlane, int p,
        ColumnBands bands)
    {
        bands.Range(p, TOps.Count, depth, out int j, out int d);
        int co = 0;
        for (; co + 8 <= outChannels; co += 8)
            Block8x1(x + p, columns + j, d, w + co * depth + 4 * j, 4 * depth, null, output + co * outPlane + p, outPlane);
        TV zero = TOps.Zero;
        for (; co + 4 <= outChannels; co += 4)
            Block4x1(x + p, columns + j, d, w + co * depth + 4 * j, zero, zero, zero, zero, output + co * outPlane + p, outPlane);
        if (co < outChannels)
            LoneChannels(x + p, 0, 1, outChannels - co, columns, depth, w + co * depth, null, output + co * outPlane + p, outPlane, TOps.Count);
    }

    /// <summary>
    /// <see cref="Forward"/> one channel at a time, for channels past a group's blocks of four: four vectors of positions
    /// per tap's broadcast (four independent chains; one vector at a time would wait on each FMA's latency), then the
    /// last one to three vectors in one pass too (a 6x6 output on 8 columns is three vectors in all).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LoneChannels(float* x, nint xGroupStride, int groups, int channels, int* columns, int depth, float* w, float* bias,
        float* output, int outPlane, int positions)
    {
        int v = TOps.Count;
        for (int group = 0, c = 0; group < groups; group++, x += xGroupStride)
            for (int k = 0; k < channels; k++, c++, w += depth)
            {
                TV b = Bias(bias, c);
                float* o = output + (nint)c * outPlane;
                int p = 0;
                for (; p + 4 * v <= positions; p += 4 * v) Block1xN<Size4>(x + p, columns, depth, w, b, o + p);
                switch ((positions - p) / v)
                {
                    case 3: Block1xN<Size3>(x + p, columns, depth, w, b, o + p); break;
                    case 2: Block1xN<Size2>(x + p, columns, depth, w, b, o + p); break;
                    case 1: Block1x1(x + p, columns, depth, w, b, o + p); break;
                }
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ForwardGroup(float* x, int* columns, int depth, float* packed, int outChannels, float* bias,
        float* output, int outPlane, int positions, ColumnBands bands)
    {
        int v = TOps.Count;
        int co = 0;
        float* w = packed;
        // One vector of positions (a 2x2 output): Block4x1's four chains of depth FMAs wait on the FMA latency;
        // two blocks of four channels at once give eight chains.
        if (positions == v)
            for (; co + 8 <= outChannels; co += 8, w += 8 * depth)
                Block8x1(x, columns, depth, w, 4 * depth, bias == null ? null : bias + co, output + co * outPlane, outPlane);
        for (; co + 4 <= outChannels; co += 4, w += 4 * depth)
        {
            TV b0 = Bias(bias, co), b1 = Bias(bias, co + 1), b2 = Bias(bias, co + 2), b3 = Bias(bias, co + 3);
            float* o = output + co * outPlane;
            int p = 0, n = positions / v;
            // A remainder of one vector after the blocks of three goes with the last block: as one block of four where
            // AVX-512's 32 registers hold its 16 accumulators, else as two blocks of two. Block4x1 waits on its four
            // broadcasts (5 loads per 4 FMAs); a block of four loads 8 per 16 FMAs, two of two 12 (DefaultNet's 8x8
            // input gradient is four vectors, its 26x26 one 43).
            bool four = n % 3 == 1 && n >= 4 && TOps.Count >= 16;
            int threes = n % 3 == 1 && n >= 4 ? n / 3 - 1 : n / 3;
            int j, d;
            for (int b = 0; b < threes; b++, p += 3 * v)
            {
                bands.Range(p, 3 * v, depth, out j, out d);
                Block4x3(x + p, columns + j, d, w + 4 * j, b0, b1, b2, b3, o + p, outPlane);
            }
            if (four)
            {
                bands.Range(p, 4 * v, depth, out j, out d);
                Block4xN<Size4>(x + p, columns + j, d, w + 4 * j, b0, b1, b2, b3, o + p, outPlane);
                p += 4 * v;
            }
            for (; p + 2 * v <= positions; p += 2 * v)
            {
                bands.Range(p, 2 * v, depth, out j, out d);
                Block4xN<Size2>(x + p, columns + j, d, w + 4 * j, b0, b1, b2, b3, o + p, outPlane);
            }
            for (; p < positions; p += v)
            {
                bands.Range(p, v, depth, out j, out d);
                Block4x1(x + p, columns + j, d, w + 4 * j, b0, b1, b2, b3, o + p, outPlane);
            }
        }

        if (co < outChannels)
            LoneChannels(x, 0, 1, outChannels - co, columns, depth, w, bias == null ? null : bias + co, output + co * outPlane, outPlane, positions);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Bias(float* bias, int c) => bias == null ? TOps.Zero : TOps.Broadcast(bias[c]);

    // Twelve accumulators (4 channels x 3 vectors) + 3 inputs + 1 weight fit AVX2's 16 registers; each input load
    // feeds four FMAs and each weight broadcast three.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x3(float* x, int* columns, int depth, float* w, TV b0, TV b1, TV b2, TV b3, float* o, int plane)
    {
        int v = TOps.Count;
        TV a00 = b0, a01 = b0, a02 = b0, a10 = b1, a11 = b1, a12 = b1;
        TV a20 = b2, a21 = b2, a22 = b2, a30 = b3, a31 = b3, a32 = b3;
        for (int j = 0; j < depth; j++, w += 4)
        {
            float* xj = x + columns[j];
            TV x0 = TOps.Load(xj), x1 = TOps.Load(xj + v), x2 = TOps.Load(xj + 2 * v);
            TV w0 = TOps.Broadcast(w[0]);
            a00 = TOps.MulAdd(x0, w0, a00); a01 = TOps.MulAdd(x1, w0, a01); a02 = TOps.MulAdd(x2, w0, a02);
            TV w1 = TOps.Broadcast(w[1]);
            a10 = TOps.MulAdd(x0, w1, a10); a11 = TOps.MulAdd(x1, w1, a11); a12 = TOps.MulAdd(x2, w1, a12);
            TV w2 = TOps.Broadcast(w[2]);
            a20 = TOps.MulAdd(x0, w2, a20); a21 = TOps.MulAdd(x1, w2, a21); a22 = TOps.MulAdd(x2, w2, a22);
            TV w3 = TOps.Broadcast(w[3]);
            a30 = TOps.MulAdd(x0, w3, a30); a31 = TOps.MulAdd(x1, w3, a31); a32 = TOps.MulAdd(x2, w3, a32);
        }

        TOps.Store(o, a00); TOps.Store(o + v, a01); TOps.Store(o + 2 * v, a02);
        o += plane;
        TOps.Store(o, a10); TOps.Store(o + v, a11); TOps.Store(o + 2 * v, a12);
        o += plane;
        TOps.Store(o, a20); TOps.Store(o + v, a21); TOps.Store(o + 2 * v, a22);
        o += plane;
        TOps.Store(o, a30); TOps.Store(o + v, a31); TOps.Store(o + 2 * v, a32);
    }

    // The tails of a row of blocks of three: four channels by TVectors.Count (2 or 4, a constant in each instantiation)
    // vectors of positions, four only where AVX-512's 32 registers hold its 16 accumulators. Their own compiled bodies:
    // inlined next to Block4x3 they pushed Forward over the JIT's inlining budget, and their MulAdd calls stayed calls
    // (4% of a step in perf). Block4x3 itself stays inlined: a call per block (bias vectors copied to the stack) cost a
    // quarter of the 1->16 layer's forward, whose blocks are 9 columns deep.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block4xN<TVectors>(float* x, int* columns, int depth, float* w, TV b0, TV b1, TV b2, TV b3, float* o, int plane)
        where TVectors : struct, IBlockSize
    {
        int v = TOps.Count, n = TVectors.Count;
        TV a00 = b0, a01 = b0, a02 = b0, a03 = b0, a10 = b1, a11 = b1, a12 = b1, a13 = b1;
        TV a20 = b2, a21 = b2, a22 = b2, a23 = b2, a30 = b3, a31 = b3, a32 = b3, a33 = b3;
        for (int j = 0; j < depth; j++, w += 4)
        {
            float* xj = x + columns[j];
            TV x0 = TOps.Load(xj), x1 = TOps.Load(xj + v);
            TV x2 = n > 2 ? TOps.Load(xj + 2 * v) : TOps.Zero, x3 = n > 3 ? TOps.Load(xj + 3 * v) : TOps.Zero;
            Channel(TOps.Broadcast(w[0]), x0, x1, x2, x3, n, ref a00, ref a01, ref a02, ref a03);
            Channel(TOps.Broadcast(w[1]), x0, x1, x2, x3, n, ref a10, ref a11, ref a12, ref a13);
            Channel(TOps.Broadcast(w[2]), x0, x1, x2, x3, n, ref a20, ref a21, ref a22, ref a23);
            Channel(TOps.Broadcast(w[3]), x0, x1, x2, x3, n, ref a30, ref a31, ref a32, ref a33);
        }

        Store(o, n, a00, a01, a02, a03);
        Store(o + plane, n, a10, a11, a12, a13);
        Store(o + 2 * plane, n, a20, a21, a22, a23);
        Store(o + 3 * plane, n, a30, a31, a32, a33);
    }

    /// <summary>One channel's weight times the first <paramref name="n"/> input vectors into its accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Channel(TV weight, TV x0, TV x1, TV x2, TV x3, int n, ref TV a0, ref TV a1, ref TV a2, ref TV a3)
    {
        a0 = TOps.MulAdd(x0, weight, a0);
        a1 = TOps.MulAdd(x1, weight, a1);
        if (n > 2) a2 = TOps.MulAdd(x2, weight, a2);
        if (n > 3) a3 = TOps.MulAdd(x3, weight, a3);
    }

    /// <summary>The first <paramref name="n"/> of a channel's accumulators to consecutive vectors at <paramref name="o"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(float* o, int n, TV a0, TV a1, TV a2, TV a3)
    {
        int v = TOps.Count;
        TOps.Store(o, a0);
        TOps.Store(o + v, a1);
        if (n > 2) TOps.Store(o + 2 * v, a2);
        if (n > 3) TOps.Store(o + 3 * v, a3);
    }

    // One leftover vector (a 4x4 or 2x2 output, or a plane of one vector).
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block4x1(float* x, int* columns, int depth, float* w, TV b0, TV b1, TV b2, TV b3, float* o, int plane)
    {
        TV a0 = b0, a1 = b1, a2 = b2, a3 = b3;
        for (int j = 0; j < depth; j++, w += 4)
        {
            TV x0 = TOps.Load(x + columns[j]);
            a0 = TOps.MulAdd(x0, TOps.Broadcast(w[0]), a0);
            a1 = TOps.MulAdd(x0, TOps.Broadcast(w[1]), a1);
            a2 = TOps.MulAdd(x0, TOps.Broadcast(w[2]), a2);
            a3 = TOps.MulAdd(x0, TOps.Broadcast(w[3]), a3);
        }

        TOps.Store(o, a0); TOps.Store(o + plane, a1); TOps.Store(o + 2 * plane, a2); TOps.Store(o + 3 * plane, a3);
    }

    // Two packed blocks of four channels (weights at w and w + nextBlock), one vector of positions.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Block8x1(float* x, int* columns, int depth, float* w, int nextBlock, float* bias, float* o, int plane)
    {
        TV a0 = Bias(bias, 0), a1 = Bias(bias, 1), a2 = Bias(bias, 2), a3 = Bias(bias, 3);
        TV a4 = Bias(bias, 4), a5 = Bias(bias, 5), a6 = Bias(bias, 6), a7 = Bias(bias, 7);
        float* u = w + nextBlock;
        for (int j = 0; j < depth; j++, w += 4, u += 4)
        {
            TV x0 = TOps.Load(x + columns[j]);
            a0 = TOps.MulAdd(x0, TOps.Broadcast(w[0]), a0);
            a1 = TOps.MulAdd(x0, TOps.Broadcast(w[1]), a1);
            a2 = TOps.MulAdd(x0, TOps.Broadcast(w[2]), a2);
            a3 = TOps.MulAdd(x0, TOps.Broadcast(w[3]), a3);
            a4 = TOps.MulAdd(x0, TOps.Broadcast(u[0]), a4);
            a5 = TOps.MulAdd(x0, TOps.Broadcast(u[1]), a5);
            a6 = TOps.MulAdd(x0, TOps.Broadcast(u[2]), a6);
            a7 = TOps.MulAdd(x0, TOps.Broadcast(u[3]), a7);
        }

        TOps.Store(o, a0); TOps.Store(o + plane, a1); TOps.Store(o + 2 * plane, a2); TOps.Store(o + 3 * plane, a3);
        o += 4 * plane;
        TOps.Store(o, a4); TOps.Store(o + plane, a5); TOps.Store(o + 2 * plane, a6); TOps.Store(o + 3 * plane, a7);
    }

    // Two to four vectors of one channel (TVectors.Count, a constant in each instantiation), one broadcast per column.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1xN<TVectors>(float* x, int* columns, int depth, float* w, TV b, float* o)
        where TVectors : struct, IBlockSize
    {
        int v = TOps.Count, n = TVectors.Count;
        TV a0 = b, a1 = b, a2 = b, a3 = b;
        for (int j = 0; j < depth; j++)
        {
            float* xj = x + columns[j];
            TV wj = TOps.Broadcast(w[j]);
            a0 = TOps.MulAdd(TOps.Load(xj), wj, a0);
            a1 = TOps.MulAdd(TOps.Load(xj + v), wj, a1);
            if (n > 2) a2 = TOps.MulAdd(TOps.Load(xj + 2 * v), wj, a2);
            if (n > 3) a3 = TOps.MulAdd(TOps.Load(xj + 3 * v), wj, a3);
        }
        TOps.Store(o, a0); TOps.Store(o + v, a1);
        if (n > 2) TOps.Store(o + 2 * v, a2);
        if (n > 3) TOps.Store(o + 3 * v, a3);
    }

    // One vector of one channel: four chains over the columns (j mod 4), added at the end, so the FMAs do not wait on
    // each other's latency (a strided grouped layer's phase split has hundreds of columns per channel).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block1x1(float* x, int* columns, int depth, float* w, TV b, float* o)
    {
        TV a0 = b, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
        int j = 0;
        for (; j + 4 <= depth; j += 4)
        {
            a0 = TOps.MulAdd(TOps.Load(x + columns[j]), TOps.Broadcast(w[j]), a0);
            a1 = TOps.MulAdd(TOps.Load(x + columns[j + 1]), TOps.Broadcast(w[j + 1]), a1);
            a2 = TOps.MulAdd(TOps.Load(x + columns[j + 2]), TOps.Broadcast(w[j + 2]), a2);
            a3 = TOps.MulAdd(TOps.Load(x + columns[j + 3]), TOps.Broadcast(w[j + 3]), a3);
        }
        for (; j < depth; j++) a0 = TOps.MulAdd(TOps.Load(x + columns[j]), TOps.Broadcast(w[j]), a0);
        TOps.Store(o, TOps.Add(TOps.Add(a0, a1), TOps.Add(a2, a3)));
    }
}
