using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

internal static unsafe partial class WideConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>
    /// grad[co * depth + j] += sum over images i and p in [0, positions) of dy_i[co * dyPlane + p] * x_i[p + columns[j]]:
    /// the weight gradient as a GEMM over positions, with the same implicit columns as <see cref="Forward"/>, summed
    /// over a group of images before the horizontal sums (small layers have few positions per image, and the 12
    /// horizontal sums per block cost more than the FMAs: conv 24->32 on 8x8 ran at 20 GFLOP/s one image at a time).
    /// Image i's buffers are at dy + i * dyStride and x + i * xStride: the image loop only moves two pointers (with a
    /// table of pointers the JIT reloaded and spilled a dozen registers per image, as much work as the FMAs when a
    /// plane is one or three vectors). Each lane sums its (image, position) terms in that order, then
    /// <see cref="IVectorOps{TV}.Sum"/>'s lane order.
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
        int co = 0;
        // AVX-512's 32 registers hold eight dy rows by three columns: 11 loads per 24 FMAs instead of 7 per 12 (the
        // unaligned column loads split over two cache lines at 64 bytes, and the weight gradient was load-bound).
        if (TOps.Count >= 16)
            for (; co + 8 <= outChannels; co += 8)
            {
                int j = 0;
                for (; j + 3 <= depth; j += 3)
                    GradRowsBy3<Size8>(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, columns + j, grad + co * depth + j, depth,
                        positions, sums);
                ColumnRest(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, 8, columns, j, depth, grad + co * depth, positions);
            }
        for (; co + 4 <= outChannels; co += 4)
        {
            int j = 0;
            for (; j + 3 <= depth; j += 3)
                GradRowsBy3<Size4>(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, columns + j, grad + co * depth + j, depth,
                    positions, sums);
            ColumnRest(dy + co * dyPlane, dyStride, dyPlane, x, xStride, images, 4, columns, j, depth, grad + co * depth, positions);
        }

        if (co < outChannels)
            LoneGradients(dy + co * dyPlane, dyStride, x, xStride, 0, 1, outChannels - co, images, dyPlane, columns, depth, grad + co * depth,
                positions);
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
                TV g = TOps.Load(d);
                a00 = TOps.MulAdd(g, u0, a00); a01 = TOps.MulAdd(g, u1, a01); a02 = TOps.MulAdd(g, u2, a02);
                g = TOps.Load(d + plane);
                a10 = TOps.MulAdd(g, u0, a10); a11 = TOps.MulAdd(g, u1, a11); a12 = TOps.MulAdd(g, u2, a12);
                g = TOps.Load(d + 2 * plane);
                a20 = TOps.MulAdd(g, u0, a20); a21 = TOps.MulAdd(g, u1, a21); a22 = TOps.MulAdd(g, u2, a22);
                g = TOps.Load(d + 3 * plane);
                a30 = TOps.MulAdd(g, u0, a30); a31 = TOps.MulAdd(g, u1, a31); a32 = TOps.MulAdd(g, u2, a32);
                if (rows == 8)
                {
                    d += 4 * plane;
                    g = TOps.Load(d);
                    a40 = TOps.MulAdd(g, u0, a40); a41 = TOps.MulAdd(g, u1, a41); a42 = TOps.MulAdd(g, u2, a42);
                    g = TOps.Load(d + plane);
                    a50 = TOps.MulAdd(g, u0, a50); a51 = TOps.MulAdd(g, u1, a51); a52 = TOps.MulAdd(g, u2, a52);
                    g = TOps.Load(d + 2 * plane);
                    a60 = TOps.MulAdd(g, u0, a60); a61 = TOps.MulAdd(g, u1, a61); a62 = TOps.MulAdd(g, u2, a62);
                    g = TOps.Load(d + 3 * plane);
                    a70 = TOps.MulAdd(g, u0, a70); a71 = TOps.MulAdd(g, u1, a71); a72 = TOps.MulAdd(g, u2, a72);
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
