using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Mnist.Dsl.Training.Data;

/// <summary>
/// Rotation of single-channel images about their centre in plain C#, computed as the TorchSharp backend's Augmentation.Affine
/// computes it with libtorch: <c>affine_grid</c> then bilinear <c>grid_sample</c>, align_corners=False, the area
/// outside the source filled with a value; the affine matrix in float64 rounded to float32, the grid and the
/// interpolation in float32 as libtorch's CPU kernels do them.
/// </summary>
public static unsafe class ImageRotation
{
    /// <summary>
    /// Writes <paramref name="source"/> ([height][width]) rotated by <paramref name="degrees"/> (counter-clockwise
    /// as displayed) into <paramref name="destination"/>, with <paramref name="fill"/> where the source has no pixel.
    /// </summary>
    public static void Rotate(ReadOnlySpan<float> source, Span<float> destination, int height, int width, double degrees, float fill)
    {
        if (source.Length != height * width || destination.Length != height * width)
            throw new ArgumentException(
                $"A {height}x{width} image has {height * width} floats; the source has {source.Length} and the destination {destination.Length}.");
        // theta = [[cos, -sin·H/W, 0], [sin·W/H, cos, 0]] (see Augmentation.Affine), made in float64, used in float32.
        var radians = degrees * (Math.PI / 180);
        float a00 = (float)Math.Cos(radians), a01 = (float)(Math.Sin(radians) * (-(double)height / width));
        float a10 = (float)(Math.Sin(radians) * ((double)width / height)), a11 = a00;
        Span<float> xs = stackalloc float[width];
        Span<float> ys = stackalloc float[height];
        BaseGrid(xs);
        BaseGrid(ys);
        // affine_grid: (x, y, 1) · thetaᵀ; the translation column is 0. The products are the same floats whether made
        // once here or per pixel (the JIT does not fuse a * b + c), and so is every step of the vector path below: it
        // gives the scalar path's bits, eight columns at a time (the training step waits for a batch's rotations).
        Span<float> xa00 = stackalloc float[width], xa10 = stackalloc float[width];
        for (var column = 0; column < width; column++)
        {
            xa00[column] = xs[column] * a00;
            xa10[column] = xs[column] * a10;
        }
        // Rows of 8 or more columns: whole vectors, the last one ending at the row's end (overlapping the one before it,
        // whose columns it computes again to the same values); narrower images and machines without AVX2: scalar.
        var eight = Vector256<float>.Count;
        var vectorized = Avx2.IsSupported && width >= eight;
        fixed (float* pixels = source, x00 = xa00, x10 = xa10, target = destination)
        {
            for (var row = 0; row < height; row++)
            {
                float ya01 = ys[row] * a01, ya11 = ys[row] * a11;
                if (!vectorized)
                {
                    for (var column = 0; column < width; column++)
                        target[row * width + column] = Sample(source, height, width, x00[column] + ya01, x10[column] + ya11, fill);
                    continue;
                }
                for (var start = 0; start < width; start += eight)
                {
                    var column = Math.Min(start, width - eight);
                    SampleEight(pixels, height, width, Avx.Add(Avx.LoadVector256(x00 + column), Vector256.Create(ya01)),
                        Avx.Add(Avx.LoadVector256(x10 + column), Vector256.Create(ya11)), fill, target + row * width + column);
                }
            }
        }
    }

    /// <summary><see cref="Sample"/> for eight grid points, operation for operation (no fused multiply-adds), with AVX2 gathers.</summary>
    private static void SampleEight(float* source, int height, int width, Vector256<float> x, Vector256<float> y, float fill, float* output)
    {
        Vector256<float> one = Vector256.Create(1f), two = Vector256.Create(2f), fills = Vector256.Create(fill);
        var ix = Avx.Divide(Avx.Subtract(Avx.Multiply(Avx.Add(x, one), Vector256.Create((float)width)), one), two);
        var iy = Avx.Divide(Avx.Subtract(Avx.Multiply(Avx.Add(y, one), Vector256.Create((float)height)), one), two);
        Vector256<float> fx0 = Avx.Floor(ix), fy0 = Avx.Floor(iy);
        Vector256<int> x0 = Avx.ConvertToVector256Int32WithTruncation(fx0), y0 = Avx.ConvertToVector256Int32WithTruncation(fy0);
        Vector256<int> x1 = Avx2.Add(x0, Vector256.Create(1)), y1 = Avx2.Add(y0, Vector256.Create(1));
        Vector256<float> east = Avx.Subtract(ix, fx0), south = Avx.Subtract(iy, fy0);
        Vector256<float> west = Avx.Subtract(Avx.Add(fx0, one), ix), north = Avx.Subtract(Avx.Add(fy0, one), iy);
        var sum = Vector256<float>.Zero;
        sum = Avx.Add(sum, Avx.Multiply(Tap(source, height, width, x0, y0, fills), Avx.Multiply(west, north)));
        sum = Avx.Add(sum, Avx.Multiply(Tap(source, height, width, x1, y0, fills), Avx.Multiply(east, north)));
        sum = Avx.Add(sum, Avx.Multiply(Tap(source, height, width, x0, y1, fills), Avx.Multiply(west, south)));
        sum = Avx.Add(sum, Avx.Multiply(Tap(source, height, width, x1, y1, fills), Avx.Multiply(east, south)));
        Avx.Store(output, Avx.Add(sum, fills));
    }

    /// <summary>source[y][x] - fill where (x, y) is inside, else fill - fill (+0, as the scalar Tap's 0f).</summary>
    private static Vector256<float> Tap(float* source, int height, int width, Vector256<int> x, Vector256<int> y, Vector256<float> fills)
    {
        // 0 <= v < size, for v and size as ints: size > v and v > -1.
        var inside = Avx2.And(Avx2.And(Avx2.CompareGreaterThan(Vector256.Create(width), x), Avx2.CompareGreaterThan(x, Vector256.Create(-1))),
            Avx2.And(Avx2.CompareGreaterThan(Vector256.Create(height), y), Avx2.CompareGreaterThan(y, Vector256.Create(-1))));
        var index = Avx2.Add(Avx2.MultiplyLow(y, Vector256.Create(width)), x);
        return Avx.Subtract(Avx2.GatherMaskVector256(fills, source, index, inside.AsSingle(), 4), fills);
    }

    /// <summary>affine_grid's coordinates for align_corners=False: linspace(-1, 1, n) · (n - 1) / n, in float32.</summary>
    private static void BaseGrid(Span<float> values)
    {
        var n = values.Length;
        if (n == 1)
        {
            values[0] = 0;
            return;
        }
        // libtorch's linspace: start + step·i for the first half, end - step·(n - 1 - i) for the second.
        var step = 2f / (n - 1);
        var half = n / 2;
        for (var i = 0; i < n; i++)
        {
            var v = i < half ? -1f + step * i : 1f - step * (n - 1 - i);
            values[i] = v * (n - 1) / n;
        }
    }

    /// <summary>grid_sample's bilinear sample at normalised (x, y), zero padding shifted to <paramref name="fill"/>.</summary>
    private static float Sample(ReadOnlySpan<float> source, int height, int width, float x, float y, float fill)
    {
        // Unnormalise for align_corners=False: ((c + 1)·size - 1) / 2.
        var ix = ((x + 1) * width - 1) / 2;
        var iy = ((y + 1) * height - 1) / 2;
        var x0 = (int)MathF.Floor(ix);
        var y0 = (int)MathF.Floor(iy);
        int x1 = x0 + 1, y1 = y0 + 1;
        float east = ix - x0, south = iy - y0, west = x1 - ix, north = y1 - iy;
        // The fill is subtracted before sampling and added after, as Augmentation does it: the weights inside
        // the image sum to one, so only the corners that fall outside take the fill.
        var sum = 0f;
        sum += Tap(source, height, width, x0, y0, fill) * (west * north);
        sum += Tap(source, height, width, x1, y0, fill) * (east * north);
        sum += Tap(source, height, width, x0, y1, fill) * (west * south);
        sum += Tap(source, height, width, x1, y1, fill) * (east * south);
        return sum + fill;
    }

    private static float Tap(ReadOnlySpan<float> source, int height, int width, int x, int y, float fill) =>
        (uint)x < (uint)width && (uint)y < (uint)height ? source[y * width + x] - fill : 0f;
}
