namespace Mnist.Dsl.Training.Serve;

/// <summary>
/// A digit drawn on a canvas made into what MNIST's images are (LeCun et al.): the ink's bounding box scaled to fit
/// 20×20 keeping its aspect ratio (area-averaged, so the pen's edges become MNIST's gray anti-aliasing), then placed
/// in 28×28 so that its centre of mass is at pixel (14, 14). A network trained on MNIST reads a drawing only this way:
/// drawn small, large or in a corner, the raw canvas is nothing like the images it learned.
/// </summary>
public static class DrawnDigit
{
    public const int Size = 28;
    public const int Box = 20;

    /// <summary>
    /// The 28×28 image (bytes, 0 background, 255 full ink, row-major) of a grayscale canvas of
    /// <paramref name="width"/> × <paramref name="height"/> bytes whose ink is bright; null when nothing is drawn.
    /// </summary>
    public static byte[]? ToMnist(ReadOnlySpan<byte> canvas, int width, int height)
    {
        if (width <= 0 || height <= 0 || (long)width * height != canvas.Length)
            throw new ArgumentException($"{canvas.Length} bytes are not a {width}x{height} canvas.", nameof(canvas));
        int left = width, right = -1, top = height, bottom = -1;
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                if (canvas[y * width + x] == 0) continue;
                left = Math.Min(left, x); right = Math.Max(right, x);
                top = Math.Min(top, y); bottom = Math.Max(bottom, y);
            }
        if (right < 0) return null;

        var inkWidth = right - left + 1;
        var inkHeight = bottom - top + 1;
        var scale = (double)Box / Math.Max(inkWidth, inkHeight);
        var boxWidth = Math.Clamp((int)Math.Round(inkWidth * scale), 1, Box);
        var boxHeight = Math.Clamp((int)Math.Round(inkHeight * scale), 1, Box);

        // Separable area averaging: rows first, then columns, each output pixel the mean of the source area it covers.
        var ink = new double[inkHeight * inkWidth];
        for (var y = 0; y < inkHeight; y++)
            for (var x = 0; x < inkWidth; x++) ink[y * inkWidth + x] = canvas[(top + y) * width + left + x];
        var rows = new double[inkHeight * boxWidth];
        for (var y = 0; y < inkHeight; y++)
            Resample(i => ink[y * inkWidth + i], inkWidth, boxWidth, (i, v) => rows[y * boxWidth + i] = v);
        var box = new double[boxHeight * boxWidth];
        for (var x = 0; x < boxWidth; x++)
            Resample(i => rows[i * boxWidth + x], inkHeight, boxHeight, (i, v) => box[i * boxWidth + x] = v);

        // Centre of mass in pixel indices, moved to pixel (14, 14) by a whole-pixel shift: where MNIST's are (over its
        // test images the mean is 14.0 in both axes, each within half a pixel of it).
        double mass = 0, sumX = 0, sumY = 0;
        for (var y = 0; y < boxHeight; y++)
            for (var x = 0; x < boxWidth; x++)
            {
                var v = box[y * boxWidth + x];
                mass += v; sumX += v * x; sumY += v * y;
            }
        var shiftX = (int)Math.Round(Size / 2 - sumX / mass, MidpointRounding.AwayFromZero);
        var shiftY = (int)Math.Round(Size / 2 - sumY / mass, MidpointRounding.AwayFromZero);

        var image = new byte[Size * Size];
        for (var y = 0; y < boxHeight; y++)
            for (var x = 0; x < boxWidth; x++)
            {
                int tx = x + shiftX, ty = y + shiftY;
                if (tx is < 0 or >= Size || ty is < 0 or >= Size) continue; // as MNIST: what the shift pushes out is cut
                image[ty * Size + tx] = (byte)Math.Clamp(Math.Round(box[y * boxWidth + x]), 0, 255);
            }
        return image;
    }

    /// <summary>The normalised floats a network takes, as the trainer normalises MNIST (<see cref="MnistImages.Normalize"/>).</summary>
    public static float[] Normalized(ReadOnlySpan<byte> image)
    {
        var result = new float[image.Length];
        for (var i = 0; i < image.Length; i++) result[i] = MnistImages.Normalize(image[i]);
        return result;
    }

    /// <summary>Resamples <paramref name="length"/> values to <paramref name="target"/>, each output the
    /// coverage-weighted mean of its source interval.</summary>
    private static void Resample(Func<int, double> source, int length, int target, Action<int, double> write)
    {
        var step = (double)length / target;
        for (var o = 0; o < target; o++)
        {
            double start = o * step, end = (o + 1) * step, sum = 0;
            for (var i = (int)Math.Floor(start); i < Math.Min(length, (int)Math.Ceiling(end)); i++)
                sum += source(i) * (Math.Min(end, i + 1) - Math.Max(start, i));
            write(o, sum / step);
        }
    }
}
