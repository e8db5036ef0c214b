namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// BatchNorm2d / BatchNorm1d (plane = 1) in training and evaluation. Training couples the batch, so each chunk of the
/// batch (ComposedTrainer.ChunkSize images, taken by whichever thread is free) accumulates per-channel sums over its
/// images (in double) into its own row of a [chunks][C] table; after a barrier the rows are reduced in chunk order
/// (the same bits whatever the thread count or timing) and every thread derives the same statistics.
/// PyTorch's conventions: biased variance to normalise, unbiased (n / (n - 1)) in the running update,
/// running = (1 - momentum) running + momentum batch.
/// </summary>
internal static unsafe class BatchNormKernels
{
    /// <summary>
    /// sum[c] += sum of (x[c, :] - shift[c]), sumOfSquares[c] += sum of its squares, for one image [C][plane]. With a
    /// shift near the mean the variance stays exact where it is small next to the mean squared (a convolution without
    /// a ReLU after it, whose bias sets the mean); about 0, float partial sums would lose it to cancellation.
    /// </summary>
    public static void AccumulateStatistics(float* x, int channels, int plane, float* shift, double* sum, double* sumOfSquares) =>
        VectorPaths.Run(new StatisticsSums(x, channels, plane, shift, sum, sumOfSquares));

    private readonly struct StatisticsSums(float* x, int channels, int plane, float* shift, double* sum, double* sumOfSquares) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            for (int c = 0; c < channels; c++)
            {
                float* row = x + c * plane;
                var k = TOps.Broadcast(shift[c]);
                TV s = TOps.Zero, q = TOps.Zero;
                int i = 0;
                // Float lanes at a vector width; the rest, and the whole plane at the scalar width, one by one in double.
                for (; TOps.Count > 1 && i + TOps.Count <= plane; i += TOps.Count)
                {
                    var a = TOps.Subtract(TOps.Load(row + i), k);
                    s = TOps.Add(s, a);
                    q = TOps.Add(q, TOps.Multiply(a, a));
                }
                double ss = TOps.Sum(s), qq = TOps.Sum(q);
                for (; i < plane; i++) { double a = row[i] - shift[c]; ss += a; qq += a * a; }
                sum[c] += ss;
                sumOfSquares[c] += qq;
            }
        }
    }

    /// <summary>shift[c] = x[c, 0], for one image [C][plane]: each channel's first value, the rows' shift.</summary>
    public static void FirstValues(float* x, int channels, int plane, float* shift)
    {
        for (int c = 0; c < channels; c++) shift[c] = x[c * plane];
    }

    /// <summary>
    /// The batch statistics from the rows' partial sums (rows of <paramref name="channels"/>, reduced in row order):
    /// mean and 1 / sqrt(var + eps). Updates the running statistics too when <paramref name="runningMean"/> is not null
    /// (one thread does that). Row r's sums are about <paramref name="rowShifts"/>[r][c] over
    /// <paramref name="rowCounts"/>[r] values when those are given (combined as Chan et al.'s parallel variance: each
    /// row's squared deviations about its own mean, plus its count times its mean's squared distance from the batch's),
    /// else about 0 over <paramref name="count"/> values in all.
    /// </summary>
    public static void Statistics(double* partialSums, double* partialSquares, int rows, int channels, long count,
        double eps, float* mean, float* inverseStd, float* runningMean, float* runningVar, double momentum,
        float* rowShifts = null, long* rowCounts = null)
    {
        if (count < 2 && runningVar != null)
            throw new InvalidOperationException("BatchNorm in training needs more than one value per channel (PyTorch raises too)");
        for (int c = 0; c < channels; c++)
        {
            double m, variance;
            if (rowShifts == null)
            {
                double s = 0, q = 0;
                for (int r = 0; r < rows; r++) { s += partialSums[r * channels + c]; q += partialSquares[r * channels + c]; }
                m = s / count;
                variance = Math.Max(q / count - m * m, 0);
            }
            else
            {
                double total = 0;
                for (int r = 0; r < rows; r++)
                    if (rowCounts[r] > 0) total += rowShifts[r * channels + c] * (double)rowCounts[r] + partialSums[r * channels + c];
                m = total / count;
                double squares = 0;
                for (int r = 0; r < rows; r++)
                {
                    long n = rowCounts[r];
                    if (n <= 0) continue;
                    double s = partialSums[r * channels + c], rowMean = rowShifts[r * channels + c] + s / n;
                    squares += partialSquares[r * channels + c] - s * s / n + n * (rowMean - m) * (rowMean - m);
                }
                variance = Math.Max(squares / count, 0);
            }
            mean[c] = (float)m;
            inverseStd[c] = (float)(1.0 / Math.Sqrt(variance + eps));
            if (runningMean != null)
            {
                runningMean[c] = (float)((1 - momentum) * runningMean[c] + momentum * m);
                runningVar[c] = (float)((1 - momentum) * runningVar[c] + momentum * variance * count / (count - 1));
            }
        }
    }

    /// <summary>Evaluation: mean and 1 / sqrt(var + eps) from the running statistics.</summary>
    public static void RunningStatistics(float* runningMean, float* runningVar, int channels, double eps, float* mean, float* inverseStd)
    {
        for (int c = 0; c < channels; c++)
        {
            mean[c] = runningMean[c];
            inverseStd[c] = (float)(1.0 / Math.Sqrt(runningVar[c] + eps));
        }
    }

    /// <summary>y = (x - mean) inverseStd gamma + beta for one image [C][plane] (in place allowed).</summary>
    public static void Normalize(float* x, float* y, int channels, int plane, float* mean, float* inverseStd, float* gamma, float* beta) =>
        VectorPaths.Run(new AffineChannels(x, y, channels, plane, mean, inverseStd, gamma, beta));

    /// <summary>
    /// y = x scale + shift per channel (multiply, then add: the same bits at every width), the channel's constants
    /// broadcast once (a kernel per channel reloaded and broadcast them for every vector).
    /// </summary>
    private readonly struct AffineChannels(float* x, float* y, int channels, int plane, float* mean, float* inverseStd, float* gamma,
        float* beta) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            for (int c = 0; c < channels; c++)
            {
                float scale = inverseStd[c] * (gamma == null ? 1 : gamma[c]);
                float shift = (beta == null ? 0 : beta[c]) - mean[c] * scale;
                float* xc = x + c * plane, yc = y + c * plane;
                TV vs = TOps.Broadcast(scale), vb = TOps.Broadcast(shift);
                int i = 0;
                for (; i + TOps.Count <= plane; i += TOps.Count) TOps.Store(yc + i, TOps.Add(TOps.Multiply(TOps.Load(xc + i), vs), vb));
                for (; i < plane; i++) yc[i] = xc[i] * scale + shift;
            }
        }
    }

    /// <summary>
    /// Backward, first pass over one image: sumDy[c] += sum of dy, sumDyXhat[c] += sum of dy (x - mean) inverseStd.
    /// These are also dL/dbeta and dL/dgamma.
    /// </summary>
    public static void AccumulateGradientSums(float* dy, float* x, int channels, int plane, float* mean, float* inverseStd,
        double* sumDy, double* sumDyXhat) =>
        VectorPaths.Run(new GradientSums(dy, x, channels, plane, mean, inverseStd, sumDy, sumDyXhat, 0, 0, 0));

    /// <summary>
    /// Backward, after the first pass: the gradient sums from all rows (rows of <paramref name="channels"/>, reduced in
    /// row order) as means over <paramref name="count"/> values, meanDy and meanDyXhat; dL/dgamma (the sum of dy xhat)
    /// and dL/dbeta (the sum of dy) added to <paramref name="gammaGradient"/> and <paramref name="betaGradient"/> when
    /// they are not null (one thread does that).
    /// </summary>
    public static void GradientMeans(double* sumDy, double* sumDyXhat, int rows, int channels, long count,
        float* meanDy, float* meanDyXhat, float* gammaGradient, float* betaGradient)
    {
        for (int c = 0; c < channels; c++)
        {
            double s = 0, q = 0;
            for (int r = 0; r < rows; r++) { s += sumDy[r * channels + c]; q += sumDyXhat[r * channels + c]; }
            meanDy[c] = (float)(s / count);
            meanDyXhat[c] = (float)(q / count);
            if (gammaGradient != null)
            {
                gammaGradient[c] += (float)q;
                betaGradient[c] += (float)s;
            }
        }
    }

    /// <summary>
    /// Dropout's backward fused into <see cref="AccumulateGradientSums"/>: dy[i] *= keep(firstIndex + i) / (1 - p) in
    /// place (the mask of <see cref="DropoutMask.Apply"/>), then the same sums, in one pass instead of two.
    /// </summary>
    public static void DropoutBackwardAndGradientSums(float* dy, float* x, int channels, int plane, float* mean, float* inverseStd,
        uint firstIndex, uint key, double p, double* sumDy, double* sumDyXhat) =>
        VectorPaths.Run(new GradientSums(dy, x, channels, plane, mean, inverseStd, sumDy, sumDyXhat, firstIndex, key, p));

    /// <summary>The sums of <see cref="AccumulateGradientSums"/>, of dy after Dropout's backward in place where p &gt; 0.</summary>
    private readonly struct GradientSums(float* dy, float* x, int channels, int plane, float* mean, float* inverseStd,
        double* sumDy, double* sumDyXhat, uint firstIndex, uint key, double p) : IWidthKernel
    {
        private readonly uint _threshold = p > 0 ? DropoutMask.Threshold(p) : 0;
        private readonly float _keepScale = (float)(1.0 / (1.0 - p));

        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            for (int c = 0; c < channels; c++)
            {
                float* g = dy + c * plane, a = x + c * plane;
                uint first = firstIndex + (uint)(c * plane);
                var vm = TOps.Broadcast(mean[c]);
                TV s = TOps.Zero, q = TOps.Zero;
                int i = 0;
                // Float lanes at a vector width; the rest, and the whole plane at the scalar width, one by one in double.
                // Two loops, the mask's constants in locals: with one, the JIT reloaded p and the mask's fields and
                // broadcast them again for every vector.
                if (TOps.Count > 1 && p == 0)
                    for (; i + TOps.Count <= plane; i += TOps.Count)
                    {
                        var d = TOps.Load(g + i);
                        s = TOps.Add(s, d);
                        q = TOps.Add(q, TOps.Multiply(d, TOps.Subtract(TOps.Load(a + i), vm)));
                    }
                else if (TOps.Count > 1)
                {
                    uint mask = key, threshold = _threshold;
                    var keep = TOps.Broadcast(_keepScale);
                    for (; i + TOps.Count <= plane; i += TOps.Count)
                    {
                        var d = TOps.Select(DropoutMask.Kept<TV, TOps>(mask, first + (uint)i, threshold), TOps.Multiply(TOps.Load(g + i), keep),
                            TOps.Zero);
                        TOps.Store(g + i, d);
                        s = TOps.Add(s, d);
                        q = TOps.Add(q, TOps.Multiply(d, TOps.Subtract(TOps.Load(a + i), vm)));
                    }
                }
                double ss = TOps.Sum(s), qq = TOps.Sum(q);
                for (; i < plane; i++)
                {
                    float d = Gradient<float, VecScalar>(g, i, first);
                    ss += d;
                    qq += d * (a[i] - mean[c]);
                }
                sumDy[c] += ss;
                sumDyXhat[c] += qq * inverseStd[c];
            }
        }

        /// <summary>dy at i, after Dropout's backward (stored back) where there is one.</summary>
        private TV Gradient<TV, TOps>(float* g, int i, uint first) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            var d = TOps.Load(g + i);
            if (p == 0) return d;
            d = TOps.Select(DropoutMask.Kept<TV, TOps>(key, first + (uint)i, _threshold), TOps.Multiply(d, TOps.Broadcast(_keepScale)), TOps.Zero);
            TOps.Store(g + i, d);
            return d;
        }
    }

    /// <summary>
    /// Backward, second pass over one image: dx = gamma inverseStd (dy - meanDy - xhat meanDyXhat), times (x > 0) when
    /// a ReLU came just before (x is then its output, so x > 0 exactly where the ReLU passed its input). dx goes to
    /// channel c, row y at <paramref name="dx"/> + c dxPlane + y dxRow, <paramref name="width"/> values per row: the
    /// padded-wide gradient buffer of the convolution before, or a compact tensor. A destination with rows wider
    /// than <paramref name="width"/> must have a vector's worth of writable floats after its last row.
    /// </summary>
    public static void InputGradient(float* dy, float* x, int channels, int height, int width, float* mean, float* inverseStd,
        float* gamma, float* meanDy, float* meanDyXhat, bool reluBefore, float* dx, int dxPlane, int dxRow) =>
        VectorPaths.Run(new InputGradientChannels(dy, x, channels, height, width, mean, inverseStd, gamma, meanDy, meanDyXhat, reluBefore,
            dx, dxPlane, dxRow));

    /// <summary>
    /// All channels in one kernel, the per-channel coefficients broadcast once and whole vectors unmasked: the JIT reloaded
    /// every field and rebuilt the row mask for each vector when each channel was its own kernel (about 30 instructions
    /// per 8 floats). Rows as wide as the destination's (a compact tensor) run as one row of the whole plane, the rest one
    /// lane at a time; wider destination rows end on a vector masked to zero past the row. Every lane computes
    /// k dy + b x + e in that order at every width: the same bits.
    /// </summary>
    private readonly struct InputGradientChannels(float* dy, float* x, int channels, int height, int width, float* mean, float* inverseStd,
        float* gamma, float* meanDy, float* meanDyXhat, bool reluBefore, float* dx, int dxPlane, int dxRow) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int plane = height * width;
            bool compact = dxRow == width;
            int rows = compact ? 1 : height, rowLength = compact ? plane : width;
            for (int c = 0; c < channels; c++)
            {
                float k = (gamma == null ? 1 : gamma[c]) * inverseStd[c];
                // dx = k dy - k meanDy - k (x - mean) inverseStd meanDyXhat = k dy + b x + e.
                float b = -k * inverseStd[c] * meanDyXhat[c];
                float e = -k * meanDy[c] - b * mean[c];
                var coefficients = new Coefficients<TV, TOps>(k, b, e);
                float* g = dy + c * plane, a = x + c * plane, d = dx + c * dxPlane;
                for (int y = 0; y < rows; y++)
                {
                    float* gy = g + y * rowLength, ay = a + y * rowLength, dyRow = d + y * dxRow;
                    int i = 0;
                    if (reluBefore)
                        for (; i + TOps.Count <= rowLength; i += TOps.Count)
                            TOps.Store(dyRow + i, coefficients.AfterRelu(TOps.Load(gy + i), TOps.Load(ay + i)));
                    else
                        for (; i + TOps.Count <= rowLength; i += TOps.Count)
                            TOps.Store(dyRow + i, coefficients.Of(TOps.Load(gy + i), TOps.Load(ay + i)));
                    if (i == rowLength) continue;
                    if (!compact)
                    {
                        var inside = TOps.FirstLanes(rowLength - i);
                        TV gl = TOps.Load(gy + i), al = TOps.Load(ay + i);
                        var value = reluBefore ? coefficients.AfterRelu(gl, al) : coefficients.Of(gl, al);
                        TOps.Store(dyRow + i, TOps.Select(inside, value, TOps.Zero));
                        continue;
                    }
                    var one = new Coefficients<float, VecScalar>(k, b, e);
                    for (; i < rowLength; i++)
                        dyRow[i] = reluBefore ? one.AfterRelu(gy[i], ay[i]) : one.Of(gy[i], ay[i]);
                }
            }
        }
    }

    /// <summary>k, b and e broadcast: dx = k dy + b x + e, and 0 where a ReLU before did not pass its input (x &gt; 0 false, NaN included).</summary>
    private readonly struct Coefficients<TV, TOps>(float k, float b, float e) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        private readonly TV _k = TOps.Broadcast(k), _b = TOps.Broadcast(b), _e = TOps.Broadcast(e);

        public TV Of(TV dy, TV x) => TOps.Add(TOps.Add(TOps.Multiply(dy, _k), TOps.Multiply(x, _b)), _e);

        public TV AfterRelu(TV dy, TV x) => TOps.Select(TOps.GreaterThan(x, TOps.Zero), Of(dy, x), TOps.Zero);
    }
}
