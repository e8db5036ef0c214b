using System.Runtime.Intrinsics;
using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// A convolution's three products with one image per vector lane (see <see cref="Composition.PatchConvolution{TV,TOps}"/>):
/// every buffer is interleaved, float (channel, pixel, lane), so a tap is one vector load and every multiply-add does
/// useful work on all lanes, whatever the stride, padding, groups or plane size. Input and input gradient are padded
/// ([Cin][Hp][Wp][L], zero borders); output and output gradient are [G][blocks][4][Ho][Wo][L]: each group's output
/// channels in blocks of four, the channels past the group's count kept zero (their packed weights are zero).
/// Weights are packed [G][blocks][Cin/G][k][k][4] (<see cref="Pack"/>). Taps whose row lies in the padding are
/// skipped; those whose column does are not (they read the zero border), which keeps the inner loop's trip count k.
/// Every sum runs in a fixed order over the lanes' images: the bits depend on the group of images, not on the thread.
/// </summary>
internal static unsafe class ImageLaneKernels<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>Output channels per register block (four broadcasts against two positions' or two taps' vectors).</summary>
    public const int Block = 4;

    /// <summary>Blocks of <see cref="Block"/> output channels per group.</summary>
    public static int Blocks(Conv2dGeometry g) => (g.GroupOutChannels + Block - 1) / Block;

    /// <summary>Floats a padded interleaved input may be read past its end (the odd last position's or tap's partner).</summary>
    public static int Slack(Conv2dGeometry g) => (g.PaddedWidth + g.Kernel + g.Stride + 1) * TOps.Count;

    /// <summary>[Cout][Cin/G][k][k] to [G][blocks][Cin/G][k][k][4], zeros for the channels past a group's count.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Pack(Conv2dGeometry g, float* weight, float* packed)
    {
        int blocks = Blocks(g), depth = g.GroupInChannels * g.Taps, outs = g.GroupOutChannels;
        for (int group = 0; group < g.Groups; group++)
            for (int b = 0; b < blocks; b++)
                for (int j = 0; j < depth; j++)
                    for (int c = 0; c < Block; c++, packed++)
                    {
                        int co = b * Block + c;
                        *packed = co < outs ? weight[(long)(group * outs + co) * depth + j] : 0f;
                    }
    }

    /// <summary>Output (bias added unless null) from the padded input: two positions of a row at a time, four channels each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(Conv2dGeometry g, float* x, float* packed, float* bias, float* y)
    {
        int lanes = TOps.Count, blocks = Blocks(g), k = g.Kernel, s = g.Stride, p = g.Padding, inputs = g.GroupInChannels;
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo, rowStride = g.PaddedWidth * lanes;
        long channelStride = (long)g.PaddedHeight * rowStride;
        for (int group = 0; group < g.Groups; group++)
            for (int b = 0; b < blocks; b++)
            {
                float* w = packed + (long)(group * blocks + b) * inputs * g.Taps * Block;
                float* output = y + (long)(group * blocks + b) * Block * plane * lanes;
                int co = group * g.GroupOutChannels + b * Block, valid = Math.Min(Block, g.GroupOutChannels - b * Block);
                TV b0 = BiasOf(bias, co, 0, valid), b1 = BiasOf(bias, co, 1, valid), b2 = BiasOf(bias, co, 2, valid), b3 = BiasOf(bias, co, 3, valid);
                for (int oy = 0; oy < ho; oy++)
                {
                    int ky0 = Math.Max(0, p - oy * s), ky1 = Math.Min(k, g.Height + p - oy * s);
                    for (int ox = 0; ox < wo; ox += 2)
                    {
                        TV a0 = b0, a1 = b1, a2 = b2, a3 = b3, e0 = b0, e1 = b1, e2 = b2, e3 = b3;
                        float* xc = x + group * inputs * channelStride + (long)(oy * s + ky0) * rowStride + ox * s * lanes;
                        float* wc = w + ky0 * k * Block;
                        for (int ci = 0; ci < inputs; ci++, xc += channelStride, wc += g.Taps * Block)
                        {
                            float* xr = xc, wr = wc;
                            for (int ky = ky0; ky < ky1; ky++, xr += rowStride)
                                for (int kx = 0; kx < k; kx++, wr += Block)
                                {
                                    TV xa = TOps.Load(xr + kx * lanes), xb = TOps.Load(xr + (kx + s) * lanes);
                                    TV w0 = TOps.Broadcast(wr[0]), w1 = TOps.Broadcast(wr[1]), w2 = TOps.Broadcast(wr[2]), w3 = TOps.Broadcast(wr[3]);
                                    a0 = TOps.MulAdd(w0, xa, a0);
                                    e0 = TOps.MulAdd(w0, xb, e0);
                                    a1 = TOps.MulAdd(w1, xa, a1);
                                    e1 = TOps.MulAdd(w1, xb, e1);
                                    a2 = TOps.MulAdd(w2, xa, a2);
                                    e2 = TOps.MulAdd(w2, xb, e2);
                                    a3 = TOps.MulAdd(w3, xa, a3);
                                    e3 = TOps.MulAdd(w3, xb, e3);
                                }
                        }
                        float* at = output + (oy * wo + ox) * lanes;
                        TOps.Store(at, a0);
                        TOps.Store(at + plane * lanes, a1);
                        TOps.Store(at + 2 * plane * lanes, a2);
                        TOps.Store(at + 3 * plane * lanes, a3);
                        // An odd row's last position has no partner: its second set read past the row and is dropped.
                        if (ox + 1 == wo) continue;
                        TOps.Store(at + lanes, e0);
                        TOps.Store(at + plane * lanes + lanes, e1);
                        TOps.Store(at + 2 * plane * lanes + lanes, e2);
                        TOps.Store(at + 3 * plane * lanes + lanes, e3);
                    }
                }
            }
    }

    /// <summary>Adds the weight gradient (sum over positions and lanes of dy x) in [Cout][Cin/G][k][k] order: two taps of a row
    /// at a time, four channels each.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(Conv2dGeometry g, float* dy, float* x, float* weightGradient)
    {
        int lanes = TOps.Count, blocks = Blocks(g), k = g.Kernel, s = g.Stride, p = g.Padding, inputs = g.GroupInChannels;
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo, rowStride = g.PaddedWidth * lanes, depth = inputs * g.Taps;
        long channelStride = (long)g.PaddedHeight * rowStride;
        int channel = plane * lanes, step = s * lanes;
        float* sums = stackalloc float[8];
        for (int group = 0; group < g.Groups; group++)
            for (int b = 0; b < blocks; b++)
            {
                float* d = dy + (long)(group * blocks + b) * Block * channel;
                int co = group * g.GroupOutChannels + b * Block, valid = Math.Min(Block, g.GroupOutChannels - b * Block);
                if (valid <= 2)
                {
                    HalfBlockWeightGradient(g, d, x + group * inputs * channelStride, weightGradient + (long)co * depth, valid, sums);
                    continue;
                }
                for (int ci = 0; ci < inputs; ci++)
                    for (int ky = 0; ky < k; ky++)
                    {
                        var (oy0, oy1) = RowsReading(g, ky);
                        for (int kx = 0; kx < k; kx += 2)
                        {
                            TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
                            TV e0 = TOps.Zero, e1 = TOps.Zero, e2 = TOps.Zero, e3 = TOps.Zero;
                            for (int oy = oy0; oy < oy1; oy++)
                            {
                                float* xr = x + (group * inputs + ci) * channelStride + (long)(oy * s + ky) * rowStride + kx * lanes;
                                // One pointer per channel, stepped together: no offsets recomputed in the loop.
                                float* dr0 = d + oy * wo * lanes, dr1 = dr0 + channel, dr2 = dr1 + channel, dr3 = dr2 + channel;
                                for (int ox = 0; ox < wo; ox++, xr += step, dr0 += lanes, dr1 += lanes, dr2 += lanes, dr3 += lanes)
                                {
                                    TV xa = TOps.Load(xr), xb = TOps.Load(xr + lanes);
                                    TV d0 = TOps.Load(dr0), d1 = TOps.Load(dr1), d2 = TOps.Load(dr2), d3 = TOps.Load(dr3);
                                    a0 = TOps.MulAdd(d0, xa, a0);
                                    e0 = TOps.MulAdd(d0, xb, e0);
                                    a1 = TOps.MulAdd(d1, xa, a1);
                                    e1 = TOps.MulAdd(d1, xb, e1);
                                    a2 = TOps.MulAdd(d2, xa, a2);
                                    e2 = TOps.MulAdd(d2, xb, e2);
                                    a3 = TOps.MulAdd(d3, xa, a3);
                                    e3 = TOps.MulAdd(d3, xb, e3);
                                }
                            }
                            // The odd row's last tap has no partner: its second set read one column on and is dropped.
                            float* wg = weightGradient + (long)co * depth + (ci * k + ky) * k + kx;
                            AddSums(wg, depth, valid, kx + 1 < k, a0, a1, a2, a3, e0, e1, e2, e3, sums);
                        }
                    }
            }
    }

    /// <summary>
    /// <see cref="WeightGradient"/> for a block of one or two channels (10 = 4 + 4 + 2): both channels against four taps of
    /// a row at a time, so no accumulator sums a zero channel (the taps past the row's k are read and dropped).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void HalfBlockWeightGradient(Conv2dGeometry g, float* d, float* x, float* weightGradient, int valid, float* sums)
    {
        int lanes = TOps.Count, k = g.Kernel, s = g.Stride, p = g.Padding, inputs = g.GroupInChannels;
        int ho = g.OutHeight, wo = g.OutWidth, rowStride = g.PaddedWidth * lanes, depth = inputs * g.Taps, step = s * lanes;
        long channelStride = (long)g.PaddedHeight * rowStride;
        int channel = ho * wo * lanes;
        for (int ci = 0; ci < inputs; ci++)
            for (int ky = 0; ky < k; ky++)
            {
                var (oy0, oy1) = RowsReading(g, ky);
                for (int kx = 0; kx < k; kx += 4)
                {
                    TV a0 = TOps.Zero, a1 = TOps.Zero, a2 = TOps.Zero, a3 = TOps.Zero;
                    TV e0 = TOps.Zero, e1 = TOps.Zero, e2 = TOps.Zero, e3 = TOps.Zero;
                    for (int oy = oy0; oy < oy1; oy++)
                    {
                        float* xr = x + ci * channelStride + (long)(oy * s + ky) * rowStride + kx * lanes;
                        float* dr0 = d + oy * wo * lanes, dr1 = dr0 + channel;
                        for (int ox = 0; ox < wo; ox++, xr += step, dr0 += lanes, dr1 += lanes)
                        {
                            TV x0 = TOps.Load(xr), x1 = TOps.Load(xr + lanes), x2 = TOps.Load(xr + 2 * lanes), x3 = TOps.Load(xr + 3 * lanes);
                            TV d0 = TOps.Load(dr0), d1 = TOps.Load(dr1);
                            a0 = TOps.MulAdd(d0, x0, a0);
                            a1 = TOps.MulAdd(d0, x1, a1);
                            a2 = TOps.MulAdd(d0, x2, a2);
                            a3 = TOps.MulAdd(d0, x3, a3);
                            e0 = TOps.MulAdd(d1, x0, e0);
                            e1 = TOps.MulAdd(d1, x1, e1);
                            e2 = TOps.MulAdd(d1, x2, e2);
                            e3 = TOps.MulAdd(d1, x3, e3);
                        }
                    }
                    // sums[0..3]: channel 0's taps kx .. kx + 3, sums[4..7]: channel 1's.
                    LaneSumsOf(a0, a1, a2, a3, e0, e1, e2, e3, sums);
                    float* wg = weightGradient + (ci * k + ky) * k + kx;
                    for (int t = 0; t < 4 && kx + t < k; t++)
                    {
                        wg[t] += sums[t];
                        if (valid > 1) wg[depth + t] += sums[4 + t];
                    }
                }
            }
    }

    /// <summary>
    /// The input gradient into the zeroed padded buffer <paramref name="dx"/>: per output position and block of four
    /// channels, each tap's input pixel gains the four weights times the four output gradients (the padding's share is
    /// dropped by the caller's crop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void InputGradient(Conv2dGeometry g, float* dy, float* packed, float* dx)
    {
        int lanes = TOps.Count, blocks = Blocks(g), k = g.Kernel, s = g.Stride, p = g.Padding, inputs = g.GroupInChannels;
        int ho = g.OutHeight, wo = g.OutWidth, plane = ho * wo, rowStride = g.PaddedWidth * lanes;
        long channelStride = (long)g.PaddedHeight * rowStride;
        int channel = plane * lanes;
        for (int group = 0; group < g.Groups; group++)
            for (int b = 0; b < blocks; b++)
            {
                float* w = packed + (long)(group * blocks + b) * inputs * g.Taps * Block;
                float* d = dy + (long)(group * blocks + b) * Block * channel;
                // Two blocks at once where the second has more than two channels: one load and store of a tap's
                // gradient per 8 products instead of per 4 (the loop was bound by them).
                if (b + 1 < blocks && g.GroupOutChannels - (b + 1) * Block > 2)
                {
                    PairedInputGradient(g, d, w, dx + group * inputs * channelStride);
                    b++;
                    continue;
                }
                // A block of at most two channels (10 = 4 + 4 + 2) skips the other two's zero products.
                bool half = g.GroupOutChannels - b * Block <= 2;
                for (int oy = 0; oy < ho; oy++)
                {
                    int ky0 = Math.Max(0, p - oy * s), ky1 = Math.Min(k, g.Height + p - oy * s);
                    for (int ox = 0; ox < wo; ox++)
                    {
                        float* dr = d + (oy * wo + ox) * lanes;
                        TV d0 = TOps.Load(dr), d1 = TOps.Load(dr + channel), d2 = TOps.Load(dr + 2 * channel), d3 = TOps.Load(dr + 3 * channel);
                        float* xc = dx + group * inputs * channelStride + (long)(oy * s + ky0) * rowStride + ox * s * lanes;
                        float* wc = w + ky0 * k * Block;
                        for (int ci = 0; ci < inputs; ci++, xc += channelStride, wc += g.Taps * Block)
                        {
                            float* xr = xc, wr = wc;
                            if (half)
                                for (int ky = ky0; ky < ky1; ky++, xr += rowStride)
                                    for (int kx = 0; kx < k; kx++, wr += Block)
                                    {
                                        float* at = xr + kx * lanes;
                                        TOps.Store(at, TOps.MulAdd(TOps.Broadcast(wr[1]), d1, TOps.MulAdd(TOps.Broadcast(wr[0]), d0, TOps.Load(at))));
                                    }
                            else
                                for (int ky = ky0; ky < ky1; ky++, xr += rowStride)
                                    for (int kx = 0; kx < k; kx++, wr += Block)
                                    {
                                        float* at = xr + kx * lanes;
                                        TV v = TOps.MulAdd(TOps.Broadcast(wr[0]), d0, TOps.Load(at));
                                        v = TOps.MulAdd(TOps.Broadcast(wr[1]), d1, v);
                                        v = TOps.MulAdd(TOps.Broadcast(wr[2]), d2, v);
                                        v = TOps.MulAdd(TOps.Broadcast(wr[3]), d3, v);
                                        TOps.Store(at, v);
                                    }
                        }
                    }
                }
            }
    }

    /// <summary><see cref="InputGradient"/> for two blocks of four channels (weights <paramref name="w"/> and the next block's,
    /// output gradients <paramref name="d"/> and the next four channels') into one group's padded input gradient.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PairedInputGradient(Conv2dGeometry g, float* d, float* w, float* dx)
    {
        int lanes = TOps.Count, k = g.Kernel, s = g.Stride, p = g.Padding, inputs = g.GroupInChannels;
        int ho = g.OutHeight, wo = g.OutWidth, rowStride = g.PaddedWidth * lanes, blockWeights = inputs * g.Taps * Block;
        long channelStride = (long)g.PaddedHeight * rowStride;
        int channel = ho * wo * lanes;
        for (int oy = 0; oy < ho; oy++)
        {
            int ky0 = Math.Max(0, p - oy * s), ky1 = Math.Min(k, g.Height + p - oy * s);
            for (int ox = 0; ox < wo; ox++)
            {
                float* dr = d + (oy * wo + ox) * lanes;
                TV d0 = TOps.Load(dr), d1 = TOps.Load(dr + channel), d2 = TOps.Load(dr + 2 * channel), d3 = TOps.Load(dr + 3 * channel);
                TV d4 = TOps.Load(dr + 4 * channel), d5 = TOps.Load(dr + 5 * channel);
                TV d6 = TOps.Load(dr + 6 * channel), d7 = TOps.Load(dr + 7 * channel);
                float* xc = dx + (long)(oy * s + ky0) * rowStride + ox * s * lanes;
                float* wc = w + ky0 * k * Block;
                for (int ci = 0; ci < inputs; ci++, xc += channelStride, wc += g.Taps * Block)
                {
                    float* xr = xc, wr = wc;
                    for (int ky = ky0; ky < ky1; ky++, xr += rowStride)
                        for (int kx = 0; kx < k; kx++, wr += Block)
                        {
                            float* at = xr + kx * lanes, wn = wr + blockWeights;
                            TV v = TOps.MulAdd(TOps.Broadcast(wr[0]), d0, TOps.Load(at));
                            v = TOps.MulAdd(TOps.Broadcast(wr[1]), d1, v);
                            v = TOps.MulAdd(TOps.Broadcast(wr[2]), d2, v);
                            v = TOps.MulAdd(TOps.Broadcast(wr[3]), d3, v);
                            v = TOps.MulAdd(TOps.Broadcast(wn[0]), d4, v);
                            v = TOps.MulAdd(TOps.Broadcast(wn[1]), d5, v);
                            v = TOps.MulAdd(TOps.Broadcast(wn[2]), d6, v);
                            v = TOps.MulAdd(TOps.Broadcast(wn[3]), d7, v);
                            TOps.Store(at, v);
                        }
                }
            }
        }
    }

    /// <summary>Adds the bias gradient: each channel's output gradient summed over positions, then lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void BiasGradient(Conv2dGeometry g, float* dy, float* biasGradient)
    {
        int lanes = TOps.Count, blocks = Blocks(g), plane = g.OutHeight * g.OutWidth;
        for (int co = 0; co < g.OutChannels; co++)
        {
            int group = co / g.GroupOutChannels, within = co % g.GroupOutChannels;
            float* d = dy + ((long)group * blocks * Block + within) * plane * lanes;
            TV sum = TOps.Zero;
            for (int n = 0; n < plane; n++) sum = TOps.Add(sum, TOps.Load(d + n * lanes));
            biasGradient[co] += TOps.Sum(sum);
        }
    }

    /// <summary>Where channel <paramref name="co"/> lies among the interleaved output's (group, block, channel) slots.</summary>
    public static int Slot(Conv2dGeometry g, int co) => co / g.GroupOutChannels * Blocks(g) * Block + co % g.GroupOutChannels;

    /// <summary>Channel slots of the interleaved output: every group's blocks, whole.</summary>
    public static int Slots(Conv2dGeometry g) => g.Groups * Blocks(g) * Block;

    /// <summary>The output rows [first, end) whose tap row <paramref name="ky"/> reads an input row, not the padding.</summary>
    private static (int First, int End) RowsReading(Conv2dGeometry g, int ky)
    {
        int s = g.Stride, p = g.Padding, last = g.Height - 1 + p - ky;
        return (Math.Max(0, (p - ky + s - 1) / s), last < 0 ? 0 : Math.Min(g.OutHeight, last / s + 1));
    }

    private static TV BiasOf(float* bias, int co, int c, int valid) => bias != null && c < valid ? TOps.Broadcast(bias[co + c]) : TOps.Zero;

    /// <summary>
    /// Adds the lane sums of a block's two taps (a: tap at <paramref name="at"/>, e: the next one, when
    /// <paramref name="pair"/>) to the first <paramref name="valid"/> channels' gradients, <paramref name="depth"/> apart.
    /// 8-lane vectors sum eight at a time (<see cref="EightLaneSums"/>), others one by one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums(float* at, int depth, int valid, bool pair, TV a0, TV a1, TV a2, TV a3, TV e0, TV e1, TV e2, TV e3,
        float* sums)
    {
        LaneSumsOf(a0, a1, a2, a3, e0, e1, e2, e3, sums);
        for (int c = 0; c < valid; c++)
        {
            at[c * depth] += sums[c];
            if (pair) at[c * depth + 1] += sums[4 + c];
        }
    }

    /// <summary>The eight vectors' lane sums into <paramref name="sums"/>: eight at a time for 8-lane vectors
    /// (<see cref="EightLaneSums"/>), else one by one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LaneSumsOf(TV a0, TV a1, TV a2, TV a3, TV e0, TV e1, TV e2, TV e3, float* sums)
    {
        if (typeof(TV) == typeof(Vector256<float>))
            EightLaneSums.Of((Vector256<float>)(object)a0, (Vector256<float>)(object)a1, (Vector256<float>)(object)a2, (Vector256<float>)(object)a3,
                (Vector256<float>)(object)e0, (Vector256<float>)(object)e1, (Vector256<float>)(object)e2, (Vector256<float>)(object)e3).Store(sums);
        else
        {
            (sums[0], sums[1], sums[2], sums[3]) = (TOps.Sum(a0), TOps.Sum(a1), TOps.Sum(a2), TOps.Sum(a3));
            (sums[4], sums[5], sums[6], sums[7]) = (TOps.Sum(e0), TOps.Sum(e1), TOps.Sum(e2), TOps.Sum(e3));
        }
    }
}
