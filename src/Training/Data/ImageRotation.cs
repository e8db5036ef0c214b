namespace Mnist.Dsl.Training.Data;

/// <summary>
/// Rotation of single-channel images about their centre in plain C#, computed as <see cref="Augmentation.Affine"/>
/// computes it with libtorch: <c>affine_grid</c> then bilinear <c>grid_sample</c>, align_corners=False, the area
/// outside the source filled with a value; the affine matrix in float64 rounded to float32, the grid and the
/// interpolation in float32 as libtorch's CPU kernels do them.
/// </summary>
public static class ImageRotation
{
    /// <summary>
    /// Writes <paramref name="source"/> ([height][width]) rotated by <paramref name="degrees"/> (counter-clockwise
    /// as displayed) into <paramref name="destination"/>, with <paramref name="fill"/> where the source has no pixel.
    /// </summary>
    public static void Rotate(ReadOnlySpan<float> source, Span<float> destination, int height, int width, double degrees, float fill)
    {
        if (source.Length != height * width || destination.Length != height * width)
            throw new ArgumentException($"A {height}x{width} image has {height * width} floats; the source has {source.Length} and the destination {destination.Length}.");
        // theta = [[cos, -sin·H/W, 0], [sin·W/H, cos, 0]] (see Augmentation.Affine), made in float64, used in float32.
        var radians = degrees * (Math.PI / 180);
        float a00 = (float)Math.Cos(radians), a01 = (float)(Math.Sin(radians) * (-(double)height / width));
        float a10 = (float)(Math.Sin(radians) * ((double)width / height)), a11 = a00;
        Span<float> xs = stackalloc float[width];
        Span<float> ys = stackalloc float[height];
        BaseGrid(xs);
        BaseGrid(ys);
        for (var row = 0; row < height; row++)
        {
            for (var column = 0; column < width; column++)
            {
                // affine_grid: (x, y, 1) · thetaᵀ; the translation column is 0.
                var gx = xs[column] * a00 + ys[row] * a01;
                var gy = xs[column] * a10 + ys[row] * a11;
                destination[row * width + column] = Sample(source, height, width, gx, gy, fill);
            }
        }
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
