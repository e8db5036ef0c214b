namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// A stride-s convolution as a stride-1 one, so it runs on the wide kernels: the padded input split into its s x s
/// phases (phase (ry, rx) holds pixels (s u + ry, s v + rx)) stacked as channels, and a ceil(k / s)-wide kernel whose
/// tap (ry, rx, qy, qx) is the original tap (s qy + ry, s qx + rx), zero where that lies past k. Output (oy, ox) reads
/// phase pixels (oy + qy, ox + qx): the same products as the strided sum, in another order. Only the r = min(s, k)
/// phases per axis that some tap reads are kept (a 1x1 stride-2 kernel reads one of four; a 2x2 stride-3 one four of
/// nine). The work is (s ceil(k / s))^2 / k^2 of the strided sum's when k >= s (1 for k = 4 or 6, s = 2; 16/9 for k = 3,
/// s = 2), where running the stride-1 convolution and keeping every s-th output costs s^2.
/// Groups stay groups: the stride-1 layer's channels are ordered (group, phase, channel within the group), so group g's
/// phases are its own contiguous channel slice and the stride-1 layer has the same groups (a strided depthwise layer
/// becomes groups of r^2 phase channels and one output channel each).
/// </summary>
internal sealed unsafe class PhaseSplitConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly Conv2dGeometry _g;
    private readonly int _phases; // r = min(s, k) phases per axis
    private readonly float* _weight;
    private readonly float*[] _weightGradient;
    private readonly float*[][] _phaseImages, _phaseGradients;
    private readonly long _phaseSlot;

    /// <summary>The stride-1 convolution on the phases.</summary>
    public Conv2dLayer<TV, TOps> Dense { get; }

    public PhaseSplitConvolution(Conv2dGeometry g, int threads, NativeArena arena)
    {
        _g = g;
        int s = g.Stride, taps = (g.Kernel + s - 1) / s;
        _phases = Math.Min(s, g.Kernel);
        // Ho + taps - 1 phase rows: every output reads rows oy .. oy + taps - 1; rows past the padded input are zeros.
        Dense = new Conv2dLayer<TV, TOps>(new Conv2dGeometry(g.InChannels * _phases * _phases, g.OutChannels, g.OutHeight + taps - 1,
            g.OutWidth + taps - 1, taps, 1, 0, g.Bias, g.VectorWidth) { Groups = g.Groups }, threads, arena);
        var d = Dense.Geometry;
        _weight = arena.Floats(d.WeightCount);
        _phaseSlot = d.InputSize + Conv2dGeometry.Slack;
        _weightGradient = new float*[threads];
        _phaseImages = new float*[threads][];
        _phaseGradients = new float*[threads][];
        for (int t = 0; t < threads; t++)
        {
            _weightGradient[t] = arena.Floats(d.WeightCount);
            _phaseImages[t] = new float*[Dense.GroupSize];
            _phaseGradients[t] = new float*[Dense.GroupSize];
            float* slots = arena.Floats(Dense.GroupSize * _phaseSlot), gradients = arena.Floats(Dense.GroupSize * _phaseSlot);
            for (int k = 0; k < Dense.GroupSize; k++)
            {
                _phaseImages[t][k] = slots + k * _phaseSlot;
                _phaseGradients[t][k] = gradients + k * _phaseSlot;
            }
        }
    }

    /// <summary>The stride-1 layer's channel of phase (ry, rx) of input channel c.</summary>
    private int DenseChannel(int c, int ry, int rx)
    {
        int perGroup = _g.GroupInChannels;
        return ((c / perGroup * _phases + ry) * _phases + rx) * perGroup + c % perGroup;
    }

    /// <summary>The stride-1 layer's index of the layer's weight (co, ci, ky, kx), ci within co's group.</summary>
    private long DenseWeightIndex(int co, int ci, int ky, int kx)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, q = d.Kernel;
        return ((long)co * d.GroupInChannels + (ky % s * _phases + kx % s) * _g.GroupInChannels + ci) * q * q + ky / s * q + kx / s;
    }

    /// <summary>The dense kernel from the layer's ([Cout][Cin/G][k][k]); zeros at the taps past k.</summary>
    public void Pack(float* weight)
    {
        var d = Dense.Geometry;
        int k = _g.Kernel, groupIn = _g.GroupInChannels;
        new Span<float>(_weight, d.WeightCount).Clear();
        for (int co = 0; co < _g.OutChannels; co++)
            for (int ci = 0; ci < groupIn; ci++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        _weight[DenseWeightIndex(co, ci, ky, kx)] = weight[((co * groupIn + ci) * k + ky) * k + kx];
        Dense.Pack(_weight);
    }

    /// <summary>The dense layer's wide output for one image (rows of the dense geometry's width).</summary>
    public float* Forward(float* image, float* bias, int thread)
    {
        Split(image, _phaseImages[thread][0]);
        return Dense.Forward(_phaseImages[thread][0], bias, thread);
    }

    /// <summary>
    /// Backward for a group whose output gradients are already in the dense layer's slots: weight gradient added to
    /// <paramref name="weightGradient"/> in the layer's own [Cout][Cin/G][k][k] order, input gradients to
    /// <paramref name="inputGradients"/> (null, or per image; an entry may be null).
    /// </summary>
    public void Backward(float** images, float** inputGradients, int count, float* weightGradient, float* biasGradient, int thread)
    {
        var d = Dense.Geometry;
        float** phases = stackalloc float*[count];
        float** phaseGradients = stackalloc float*[count];
        for (int k = 0; k < count; k++)
        {
            Split(images[k], _phaseImages[thread][k]);
            phases[k] = _phaseImages[thread][k];
            phaseGradients[k] = inputGradients == null || inputGradients[k] == null ? null : _phaseGradients[thread][k];
        }
        float* dense = _weightGradient[thread];
        new Span<float>(dense, d.WeightCount).Clear();
        Dense.Backward(phases, inputGradients == null ? null : phaseGradients, count, dense, biasGradient, thread);

        int kernel = _g.Kernel, groupIn = _g.GroupInChannels;
        for (int co = 0; co < _g.OutChannels; co++)
            for (int ci = 0; ci < groupIn; ci++)
                for (int ky = 0; ky < kernel; ky++)
                    for (int kx = 0; kx < kernel; kx++)
                        weightGradient[((co * groupIn + ci) * kernel + ky) * kernel + kx] += dense[DenseWeightIndex(co, ci, ky, kx)];
        for (int k = 0; k < count; k++)
            if (phaseGradients[k] != null) Merge(phaseGradients[k], inputGradients![k]);
    }

    /// <summary>The image ([Cin][H][W]) padded and split into its kept phases, zeros outside the padded image.</summary>
    private void Split(float* image, float* phases)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, p = _g.Padding, width = _g.Width, plane = d.Height * d.Width;
        for (int c = 0; c < _g.InChannels; c++)
        {
            float* source = image + (long)c * _g.Height * width;
            for (int ry = 0; ry < _phases; ry++)
                for (int rx = 0; rx < _phases; rx++)
                {
                    float* to = phases + (long)DenseChannel(c, ry, rx) * plane;
                    // Columns v in [first, last) read x = s v + rx - p inside the row; the others are padding.
                    int first = Math.Min(rx >= p ? 0 : (p - rx + s - 1) / s, d.Width);
                    int last = Math.Clamp(width + p - rx <= 0 ? 0 : (width + p - rx + s - 1) / s, first, d.Width);
                    for (int u = 0; u < d.Height; u++, to += d.Width)
                    {
                        int y = s * u + ry - p;
                        if (y < 0 || y >= _g.Height)
                        {
                            new Span<float>(to, d.Width).Clear();
                            continue;
                        }
                        float* row = source + y * width + rx - p;
                        int v = 0;
                        for (; v < first; v++) to[v] = 0f;
                        for (; v < last; v++) to[v] = row[s * v];
                        for (; v < d.Width; v++) to[v] = 0f;
                    }
                }
        }
    }

    /// <summary>
    /// The phases' gradient back to the image's: each input pixel is one phase pixel, or reaches no output (a phase
    /// row or column past the kernel or past the last phase pixel) and gets 0.
    /// </summary>
    private void Merge(float* phaseGradient, float* inputGradient)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, p = _g.Padding, width = _g.Width, plane = d.Height * d.Width;
        for (int c = 0; c < _g.InChannels; c++)
            for (int y = 0; y < _g.Height; y++)
            {
                int u = (y + p) / s, ry = (y + p) % s;
                float* to = inputGradient + ((long)c * _g.Height + y) * width;
                if (ry >= _phases || u >= d.Height)
                {
                    new Span<float>(to, width).Clear();
                    continue;
                }
                for (int rx = 0; rx < s; rx++)
                {
                    // Pixels x = s v + rx - p of this row, v counted from the first one inside it.
                    int x = ((rx - p) % s + s) % s, v = (x + p) / s;
                    if (rx >= _phases)
                    {
                        for (; x < width; x += s) to[x] = 0f;
                        continue;
                    }
                    float* from = phaseGradient + (long)DenseChannel(c, ry, rx) * plane + u * d.Width;
                    for (; x < width; x += s, v++) to[x] = v < d.Width ? from[v] : 0f;
                }
            }
    }
}
