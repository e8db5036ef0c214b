namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// Copies a convolution's wide output ([C][Ho x Wp]) into a compact tensor ([C][Ho][Wo]), optionally applying ReLU and
/// adding each channel's sum and sum of squares for the BatchNorm after it: one pass over the output instead of three.
/// </summary>
internal static unsafe class ConvEpilogue
{
    public static void Copy(float* wide, int widePlane, int wideRow, int channels, int height, int width, float* output)
    {
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                RowCopy.Copy(wide + c * widePlane + y * wideRow, output + (c * height + y) * width, width);
    }

    /// <summary>
    /// output = max(0, wide), and sum[c] += sum of (output - shift[c]), sumOfSquares[c] += sum of its squares
    /// (<paramref name="shift"/> null: about 0). A biased convolution shifts by its bias (ReLU of it here): BatchNorm's
    /// variance then survives a mean that is large next to the spread.
    /// </summary>
    public static void ReluWithStatistics(float* wide, int widePlane, int wideRow, int channels, int height, int width,
        float* output, double* sum, double* sumOfSquares, float* shift = null) =>
        WithStatistics<Relu>(wide, widePlane, wideRow, channels, height, width, output, sum, sumOfSquares, shift);

    /// <summary>output = wide (no ReLU: a BatchNorm2d follows the convolution directly), with the sums of <see cref="ReluWithStatistics"/>.</summary>
    public static void CopyWithStatistics(float* wide, int widePlane, int wideRow, int channels, int height, int width,
        float* output, double* sum, double* sumOfSquares, float* shift = null) =>
        WithStatistics<NoRelu>(wide, widePlane, wideRow, channels, height, width, output, sum, sumOfSquares, shift);

    private static void WithStatistics<TRelu>(float* wide, int widePlane, int wideRow, int channels, int height, int width,
        float* output, double* sum, double* sumOfSquares, float* shift) where TRelu : struct, IReluFlag =>
        VectorPaths.Run(new Statistics<TRelu>(wide, widePlane, wideRow, channels, height, width, output, sum, sumOfSquares, shift));

    // The flag as a struct type argument: the JIT compiles one copy of the loop per value, with no test inside.
    private interface IReluFlag { bool On { get; } }

    private readonly struct Relu : IReluFlag { public bool On => true; }

    private readonly struct NoRelu : IReluFlag { public bool On => false; }

    private readonly struct Statistics<TRelu>(float* wide, int widePlane, int wideRow, int channels, int height, int width,
        float* output, double* sum, double* sumOfSquares, float* shift) : IWidthKernel where TRelu : struct, IReluFlag
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            bool relu = default(TRelu).On;
            int v = TOps.Count;
            float* tail = stackalloc float[v];
            for (int c = 0; c < channels; c++)
            {
                TV s = TOps.Zero, q = TOps.Zero;
                // What the vectors do not take (the scalar width: a whole plane; a vector width: each row's last values)
                // is summed one value at a time in double, or the variance of a map whose mean is far from the shift is
                // lost to rounding (a vector's lanes each sum a sixteenth of it or less).
                double sd = 0, qd = 0;
                // x - 0 is x exactly: without a shift the sums are the unshifted ones, bit for bit.
                float k = shift == null ? 0 : shift[c];
                var vk = TOps.Broadcast(k);
                for (int y = 0; y < height; y++)
                {
                    float* src = wide + c * widePlane + y * wideRow;
                    float* dst = output + (c * height + y) * width;
                    int x = 0;
                    if (v == 1)
                    {
                        for (; x < width; x++)
                        {
                            float a = !relu || src[x] > 0 ? src[x] : 0f;
                            dst[x] = a;
                            double d = a - k;
                            sd += d;
                            qd += d * d;
                        }
                        continue;
                    }
                    for (; x + v <= width; x += v)
                    {
                        var a = TOps.Load(src + x);
                        if (relu) a = TOps.Max(a, TOps.Zero);
                        TOps.Store(dst + x, a);
                        var d = TOps.Subtract(a, vk);
                        s = TOps.Add(s, d);
                        q = TOps.Add(q, TOps.Multiply(d, d));
                    }
                    if (x == width) continue;
                    // The row's last values (all of a 4- or 2-wide row) are clamped by a vector select, not a branch
                    // each: ReLU's sign is a coin toss and the branch mispredicted about half the time. The lanes past
                    // the row read the next row or the buffer's slack and are dropped; the row's own are stored and
                    // summed one by one (the select gives src > 0 ? src : +0 in every lane, NaN included).
                    var clamped = TOps.Load(src + x);
                    if (relu) clamped = TOps.Select(TOps.GreaterThan(clamped, TOps.Zero), clamped, TOps.Zero);
                    TOps.Store(tail, clamped);
                    for (int j = 0; x < width; x++, j++)
                    {
                        float a = tail[j];
                        dst[x] = a;
                        double d = a - k;
                        sd += d;
                        qd += d * d;
                    }
                }
                // Float within one image (at most a few hundred values), double across images and threads.
                sum[c] += TOps.Sum(s) + sd;
                sumOfSquares[c] += TOps.Sum(q) + qd;
            }
        }
    }
}
