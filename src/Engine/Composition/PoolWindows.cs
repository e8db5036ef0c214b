using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// AvgPool2d's two common forms without the general loop nest's k^2 dependent scalar adds per output: stride 1 (a
/// window per output, the outputs of a row in vectors: k^2 vector loads and adds per vector of outputs) and stride =
/// kernel (the window's k rows summed in vectors, then k values per output), forward and backward; and MaxPool2d's
/// scan without branches (the winner of random data mispredicts about every other tap). One image [C][H][W] at a time,
/// no padding (the DSL's pools). Sums run in another order than the scalar loop's, so they agree within rounding.
/// </summary>
internal static unsafe class PoolWindows<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>Whether <see cref="AverageForward"/> and <see cref="AverageBackward"/> take this pool (stride 1 or stride = kernel).</summary>
    public static bool RunsAverage(int kernel, int stride) => stride == 1 || stride == kernel;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageForward(float* x, int channels, int height, int width, int kernel, int stride, float* y, float* row)
    {
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1, v = TOps.Count;
        float inverse = 1f / (kernel * kernel);
        TV scale = TOps.Broadcast(inverse);
        for (int c = 0; c < channels; c++)
        {
            float* plane = x + c * height * width, output = y + c * ho * wo;
            for (int oy = 0; oy < ho; oy++)
            {
                float* top = plane + oy * stride * width, to = output + oy * wo;
                if (stride == 1)
                {
                    AverageRow(top, width, kernel, wo, to, scale, inverse);
                    continue;
                }
                // Stride = kernel: the window's rows summed into row[], then each output sums its k columns.
                int used = wo * kernel, at = 0;
                for (; at + v <= used; at += v)
                {
                    TV sum = TOps.Load(top + at);
                    for (int ky = 1; ky < kernel; ky++) sum = TOps.Add(sum, TOps.Load(top + ky * width + at));
                    TOps.Store(row + at, sum);
                }
                for (; at < used; at++)
                {
                    float sum = top[at];
                    for (int ky = 1; ky < kernel; ky++) sum += top[ky * width + at];
                    row[at] = sum;
                }
                for (int ox = 0; ox < wo; ox++)
                {
                    float sum = 0;
                    for (int kx = 0; kx < kernel; kx++) sum += row[ox * kernel + kx];
                    to[ox] = sum * inverse;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AverageBackward(float* dy, int channels, int height, int width, int kernel, int stride, float* dx, float* padded)
    {
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1, v = TOps.Count;
        float inverse = 1f / (kernel * kernel);
        TV scale = TOps.Broadcast(inverse);
        for (int c = 0; c < channels; c++)
        {
            float* gradient = dy + c * ho * wo, plane = dx + c * height * width;
            if (stride == 1)
            {
                // Every input pixel sums the windows over it: dy copied into the middle of a plane with k - 1 zeros on
                // every side, each pixel's sum gathered from its k x k neighbours there.
                int border = kernel - 1, paddedWidth = wo + 2 * border;
                for (int oy = 0; oy < ho; oy++)
                {
                    // Inline moves: RowCopy's width dispatch per row (a thread-static read) cost about as much as the row.
                    float* from = gradient + oy * wo, to = padded + (oy + border) * paddedWidth + border;
                    int x = 0;
                    for (; x + v <= wo; x += v) TOps.Store(to + x, TOps.Load(from + x));
                    for (; x < wo; x++) to[x] = from[x];
                }
                for (int y = 0; y < height; y++)
                    AverageRow(padded + y * paddedWidth, paddedWidth, kernel, width, plane + y * width, scale, inverse);
                continue;
            }
            // Stride = kernel: each pixel in one window or none; written once, rows past the last window zero.
            for (int oy = 0; oy < ho; oy++)
            {
                float* first = plane + oy * kernel * width;
                for (int ox = 0; ox < wo; ox++)
                {
                    float share = gradient[oy * wo + ox] * inverse;
                    for (int kx = 0; kx < kernel; kx++) first[ox * kernel + kx] = share;
                }
                for (int x = wo * kernel; x < width; x++) first[x] = 0;
                for (int ky = 1; ky < kernel; ky++) new Span<float>(first, width).CopyTo(new Span<float>(first + ky * width, width));
            }
            new Span<float>(plane + ho * kernel * width, (height - ho * kernel) * width).Clear();
        }
    }

    /// <summary>
    /// Floats of the scratch both passes take: a row for <see cref="AverageForward"/> (stride = kernel), and for
    /// <see cref="AverageBackward"/> of a stride-1 pool the output plane with k - 1 zeros on every side. It must be zero
    /// when first given; the border stays so.
    /// </summary>
    public static int Scratch(int height, int width, int kernel) => Math.Max(width, (height + kernel - 1) * (width + kernel - 1)) + TOps.Count;

    /// <summary>
    /// One row of <paramref name="count"/> k x k window means (window n at <paramref name="top"/> + n, rows
    /// <paramref name="rowStride"/> apart), taps summed in row order. Whole vectors, the last one moved back to end at
    /// the row's end (it recomputes a few outputs, bit for bit), so a row of 11 takes two vectors, not 11 scalar sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AverageRow(float* top, int rowStride, int kernel, int count, float* to, TV scale, float inverse)
    {
        int v = TOps.Count;
        if (count < v)
        {
            for (int n = 0; n < count; n++)
            {
                float sum = 0;
                for (int ky = 0; ky < kernel; ky++)
                    for (int kx = 0; kx < kernel; kx++) sum += top[ky * rowStride + n + kx];
                to[n] = sum * inverse;
            }
            return;
        }
        for (int n = 0; ; n += v)
        {
            int at = Math.Min(n, count - v);
            TV sum = TOps.Zero;
            for (int ky = 0; ky < kernel; ky++)
                for (int kx = 0; kx < kernel; kx++) sum = TOps.Add(sum, TOps.Load(top + ky * rowStride + at + kx));
            TOps.Store(to + at, TOps.MulAdd(sum, scale, TOps.Zero));
            if (at == count - v) return;
        }
    }
}
