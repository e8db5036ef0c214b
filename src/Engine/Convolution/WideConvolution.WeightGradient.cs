using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

// The constraints are on the declaration in WideConvolution.cs (C# lets the other parts leave them out).
internal static unsafe partial class WideConvolution<TV, TOps>
{
    /// <summary>
    /// grad[co * depth + j] += sum over images i and p in [0, positions) of dy_i[co * dyPlane + p] * x_i[p + columns[j]]:
    /// the weight gradient as a GEMM over positions, with the same implicit columns as <see cref="Forward"/>, summed
    /// over a group of images before the horizontal sums (small layers have few positions per image, and the 12
    /// horizontal sums per block cost more than the FMAs: conv 24->32 on 8x8 ran at 20 GFLOP/s one image at a time).
    /// Image i's buffers are at dy + i * dyStride and x + i * xStride: the image loop only moves two pointers (with a
    /// table of pointers the JIT reloaded and spilled a dozen registers per image, as much work as the FMAs when a
    /// plane is one or three vectors). Each lane sums its (image, position) terms in that order, then the lanes are
    /// added pairwise (<see cref="LaneSums"/>; a lone channel's, <see cref="IVectorOps{TV}.Sum"/>'s order).
    /// dy must be zero at the thrown-away positions (end of each row, and up to <paramref name="positions"/>).
    /// For <paramref name="groups"/> groups of <paramref name="outChannels"/> channels each, group g reads the input at
    /// x + g * <paramref name="xGroupStride"/>; its dy channels and gradient rows follow group g - 1's.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGradient(float* dy, nint dyStride, float* x, nint xStride, nint xGroupStride, int groups, int images, int dyPlane,
        int outChannels, int* columns, int depth, float* grad, int positions)
    {
        if (outChannels < 4)
        {
            LoneGradients(dy, dyStride, x, xStride, xGroupStride, groups, outChannels, images, dyPlane, columns, depth, grad, positions);
            return;
        }
        for (int group = 0; group < groups; group++, x += xGroupStride, dy += (nint)outChannels * dyPlane, grad += outChannels * depth)
            WeightGradientGroup(dy, dyStride, x, xStride, images, dyPlane, outChannels, columns, depth, grad, positions);
    }

    /// <summary>
    /// <see cref="WeightGradient"/> one channel at a time, for channels past a group's blocks of four: four columns per
    /// pass, one dy load feeding four independent accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void LoneGradients(float* dy, nint dyStride, float* x, nint xStride, nint xGroupStride, int groups, int channels, int images,
        int dyPlane, int* columns, int depth, float* grad, int positions)
    {
        for (int group = 0; group < groups; group++, x += xGroupStride)
            for (int k = 0; k < channels; k++, dy += dyPlane, grad += depth)
            {
                int j = 0;
                for (; j + 4 <= depth; j += 4) Grad1x4(dy, dyStride, x, xStride, images, columns + j, grad + j, positions);
                for (; j < depth; j++) grad[j] += Dot(dy, dyStride, x + columns[j], xStride, images, positions);
            }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void WeightGradientGroup(float* dy, nint dyStride, float* x, nint xStride, int images, int dyPlane, int outChannels,
        int* columns, int depth, float* grad, int positions)
    {
        // Room for LaneSums over a block's 24 accumulators (and a zero vector), at most 16 lanes each.
        float* sums = stackalloc float[25 * 16];
        // AVX-512's 32 registers hold eight dy rows by three columns: 11 loads per 24 FMAs instead of 7 per 12 (the
        // unaligned column loads split over two cache lines at 64 bytes, and the weight gradient was load-bound).
        int co = TOps.Count >= 16
            ? RowBlocks<Size8>(dy, dyStride, x, xStride, images, dyPlane, 0, outChannels, columns, depth, grad, positions, sums)
            : 0;
        co = RowBlocks<Size4>(dy, dyStride, x, xStride, images, dyPlane, co, outChannels, columns, depth, grad, positions, sums);
        if (co < outChannels)
            LoneGradients(dy + co * dyPlane, dyStride, x, xStride, 0, 1, outChannels - co, images, dyPlane, columns, depth, grad + co * depth,
                positions);
    }

    /// <summary>Channels from <paramref name="co"/> on in blocks of TRows.Count while they fit; returns the first channel left.</summary>
    private static int RowBlocks<TRows>(float* dy, nint dyStride, float* x, nint xStride, int images, int dyPlane, int co, int outChannels,
        int* columns, int depth, float* grad, int positions, float* sums)
        where TRows : struct, IBlockSize
    {
        int rows = TRows.Count;
        for (; co + rows <= outChannels; co += rows)
        {
            int j = 0;
            for (; j + 3 <= depth; j += 3)
                GradRowsBy3<TRows>(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, columns + j, grad + co * depth + j, depth, positions,
                    sums);
            ColumnRest(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, rows, columns, j, depth, grad + co * depth, positions);
        }
        return co;
    }

    /// <summary>Columns [<paramref name="from"/>, depth) of <paramref name="rows"/> gradient rows, one dot product each (a block's last one or two).</summary>
    private static void ColumnRest(float* dy, nint dyStride, int dyPlane, float* x, nint xStride, int images, int rows, int* columns, int from,
        int depth, float* grad, int positions)
    {
        for (int j = from; j < depth; j++)
            for (int c = 0; c < rows; c++) grad[c * depth + j] += Dot(dy + c * dyPlane, dyStride, x + columns[j], xStride, images, positions);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
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

    /// <summary>
    /// TRows.Count (4 or 8) dy rows by three columns, summed over the images, then added to the gradient through
    /// <see cref="LaneSums"/>. Four rows: twelve accumulators, 7 loads per 12 FMAs (AVX2's 16 registers); eight: 24
    /// accumulators, 11 loads per 24 FMAs (AVX-512's 32). One body: each instantiation compiles with its row count as a
    /// constant, so the eight-row code is gone from the four-row one.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GradRowsBy3<TRows>(float* dy, nint dyStride, int dyPlane, float* x, nint xStride, int images, int* columns, float* grad,
        int depth, int positions, float* sums)
        where TRows : struct, IBlockSize
    {
        int rows = TRows.Count;
        int v = TOps.Count;
        TV a00 = TOps.Zero, a01 = TOps.Zero, a02 = TOps.Zero, a10 = TOps.Zero, a11 = TOps.Zero, a12 = TOps.Zero;
        TV a20 = TOps.Zero, a21 = TOps.Zero, a22 = TOps.Zero, a30 = TOps.Zero, a31 = TOps.Zero, a32 = TOps.Zero;
        TV a40 = TOps.Zero, a41 = TOps.Zero, a42 = TOps.Zero, a50 = TOps.Zero, a51 = TOps.Zero, a52 = TOps.Zero;
        TV a60 = TOps.Zero, a61 = TOps.Zero, a62 = TOps.Zero, a70 = TOps.Zero, a71 = TOps.Zero, a72 = TOps.Zero;
        float* x0 = x + columns[0], x1 = x + columns[1], x2 = x + columns[2];
        nint plane = dyPlane;
        for (int i = 0; i < images; i++)
        {
            for (int p = 0; p < positions; p += v)
            {
                TV u0 = TOps.Load(x0 + p), u1 = TOps.Load(x1 + p), u2 = TOps.Load(x2 + p);
                float* d = dy + p;
                Row(TOps.Load(d), u0, u1, u2, ref a00, ref a01, ref a02);
                Row(TOps.Load(d + plane), u0, u1, u2, ref a10, ref a11, ref a12);
                Row(TOps.Load(d + 2 * plane), u0, u1, u2, ref a20, ref a21, ref a22);
                Row(TOps.Load(d + 3 * plane), u0, u1, u2, ref a30, ref a31, ref a32);
                if (rows == 8)
                {
                    d += 4 * plane;
                    Row(TOps.Load(d), u0, u1, u2, ref a40, ref a41, ref a42);
                    Row(TOps.Load(d + plane), u0, u1, u2, ref a50, ref a51, ref a52);
                    Row(TOps.Load(d + 2 * plane), u0, u1, u2, ref a60, ref a61, ref a62);
                    Row(TOps.Load(d + 3 * plane), u0, u1, u2, ref a70, ref a71, ref a72);
                }
            }
            dy += dyStride;
            x0 += xStride; x1 += xStride; x2 += xStride;
        }

        TOps.Store(sums, a00); TOps.Store(sums + v, a01); TOps.Store(sums + 2 * v, a02);
        TOps.Store(sums + 3 * v, a10); TOps.Store(sums + 4 * v, a11); TOps.Store(sums + 5 * v, a12);
        TOps.Store(sums + 6 * v, a20); TOps.Store(sums + 7 * v, a21); TOps.Store(sums + 8 * v, a22);
        TOps.Store(sums + 9 * v, a30); TOps.Store(sums + 10 * v, a31); TOps.Store(sums + 11 * v, a32);
        if (rows == 8)
        {
            TOps.Store(sums + 12 * v, a40); TOps.Store(sums + 13 * v, a41); TOps.Store(sums + 14 * v, a42);
            TOps.Store(sums + 15 * v, a50); TOps.Store(sums + 16 * v, a51); TOps.Store(sums + 17 * v, a52);
            TOps.Store(sums + 18 * v, a60); TOps.Store(sums + 19 * v, a61); TOps.Store(sums + 20 * v, a62);
            TOps.Store(sums + 21 * v, a70); TOps.Store(sums + 22 * v, a71); TOps.Store(sums + 23 * v, a72);
        }
        LaneSums(sums, 3 * rows);
        for (int c = 0; c < rows; c++, grad += depth)
        {
            grad[0] += sums[3 * c]; grad[1] += sums[3 * c + 1]; grad[2] += sums[3 * c + 2];
        }
    }

    /// <summary>One dy row's vector times three columns' into its three accumulators.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Row(TV g, TV u0, TV u1, TV u2, ref TV a0, ref TV a1, ref TV a2)
    {
        a0 = TOps.MulAdd(g, u0, a0);
        a1 = TOps.MulAdd(g, u1, a1);
        a2 = TOps.MulAdd(g, u2, a2);
    }

    /// <summary>
    /// The lane sums of the <paramref name="count"/> vectors stored one after another at <paramref name="vectors"/>, into
    /// its first <paramref name="count"/> floats (room for count + 1 vectors, overwritten). A tree over all of them at
    /// once: each level adds every vector's neighbouring lanes pairwise, two vectors into one (Deinterleave's even + odd
    /// lanes), so count sums of 16 lanes take about count / 16 * 15 shuffle-and-adds instead of count times a 16-lane
    /// Sum's ~25 instructions, which cost as much as a fifth of a block's FMAs (a block of DefaultNet's 26x26 layer sums
    /// 39 vectors per accumulator). Lane l's partial sums in the order ((l0 + l1) + (l2 + l3)) + ...: fixed, so
    /// deterministic, though not <see cref="IVectorOps{TV}.Sum"/>'s order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LaneSums(float* vectors, int count)
    {
        int v = TOps.Count;
        // Level by level, a vector holds v / lanes accumulators' partial sums, lanes each, accumulator order kept.
        for (int lanes = v; lanes > 1; lanes /= 2)
        {
            int used = (count * lanes + v - 1) / v;
            if (used % 2 == 1) TOps.Store(vectors + used * v, TOps.Zero);
            for (int k = 0; 2 * k < used; k++)
            {
                TOps.Deinterleave(vectors + 2 * k * v, out TV even, out TV odd);
                TOps.Store(vectors + k * v, TOps.Add(even, odd));
            }
        }
    }

    /// <summary>sum over images i and p in [0, positions) of dy_i[p] * x_i[p] (image i at dy + i * dyStride, x + i *
    /// xStride), in one vector of lanes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* dy, nint dyStride, float* x, nint xStride, int images, int positions)
    {
        TV acc = TOps.Zero;
        for (int i = 0; i < images; i++, dy += dyStride, x += xStride)
            for (int p = 0; p < positions; p += TOps.Count) acc = TOps.MulAdd(TOps.Load(dy + p), TOps.Load(x + p), acc);
        return TOps.Sum(acc);
    }
}
