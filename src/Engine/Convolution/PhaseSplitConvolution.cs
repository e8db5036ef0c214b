namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// A stride-s convolution as a stride-1 one, so it runs on the wide kernels: the padded input split into its s x s
/// phases (phase (ry, rx) holds pixels (s u + ry, s v + rx)) stacked as s^2 Cin channels, and a ceil(k / s)-wide
/// kernel whose tap (ry, rx, qy, qx) is the original tap (s qy + ry, s qx + rx), zero where that lies past k. Output
/// (oy, ox) reads phase pixels (oy + qy, ox + qx): the same products as the strided sum, in another order. The work is
/// (s ceil(k / s))^2 / k^2 of the strided sum's (1 for k = 6, s = 2; 16/9 for k = 3, s = 2), where running the
/// stride-1 convolution and keeping every s-th output costs s^2.
/// </summary>
internal sealed unsafe class PhaseSplitConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly Conv2dGeometry _g;
    private readonly float* _weight;
    private readonly float*[] _weightGradient;
    private readonly float*[][] _phases, _phaseGradients;
    private readonly long _phaseSlot;

    /// <summary>The stride-1 convolution on the phases.</summary>
    public Conv2dLayer<TV, TOps> Dense { get; }

    public PhaseSplitConvolution(Conv2dGeometry g, int threads, NativeArena arena)
    {
        _g = g;
        int s = g.Stride, taps = (g.Kernel + s - 1) / s;
        // Ho + taps - 1 phase rows: every output reads rows oy .. oy + taps - 1; rows past the padded input are zeros.
        Dense = new Conv2dLayer<TV, TOps>(new Conv2dGeometry(g.InChannels * s * s, g.OutChannels, g.OutHeight + taps - 1,
            g.OutWidth + taps - 1, taps, 1, 0, g.Bias, g.VectorWidth), threads, arena);
        var d = Dense.Geometry;
        _weight = arena.Floats(d.WeightCount);
        _phaseSlot = d.InputSize + Conv2dGeometry.Slack;
        _weightGradient = new float*[threads];
        _phases = new float*[threads][];
        _phaseGradients = new float*[threads][];
        for (int t = 0; t < threads; t++)
        {
            _weightGradient[t] = arena.Floats(d.WeightCount);
            _phases[t] = new float*[Dense.GroupSize];
            _phaseGradients[t] = new float*[Dense.GroupSize];
            float* slots = arena.Floats(Dense.GroupSize * _phaseSlot), gradients = arena.Floats(Dense.GroupSize * _phaseSlot);
            for (int k = 0; k < Dense.GroupSize; k++)
            {
                _phases[t][k] = slots + k * _phaseSlot;
                _phaseGradients[t][k] = gradients + k * _phaseSlot;
            }
        }
    }

    /// <summary>The dense kernel from the layer's ([Cout][Cin][k][k]); zeros at the taps past k.</summary>
    public void Pack(float* weight)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, k = _g.Kernel, q = d.Kernel;
        for (int co = 0; co < _g.OutChannels; co++)
            for (int ry = 0; ry < s; ry++)
                for (int rx = 0; rx < s; rx++)
                    for (int ci = 0; ci < _g.InChannels; ci++)
                    {
                        float* to = _weight + ((long)co * d.InChannels + (ry * s + rx) * _g.InChannels + ci) * q * q;
                        for (int qy = 0; qy < q; qy++)
                            for (int qx = 0; qx < q; qx++)
                            {
                                int ky = s * qy + ry, kx = s * qx + rx;
                                to[qy * q + qx] = ky < k && kx < k ? weight[((co * _g.InChannels + ci) * k + ky) * k + kx] : 0f;
                            }
                    }
        Dense.Pack(_weight);
    }

    /// <summary>The dense layer's wide output for one image (rows of the dense geometry's width).</summary>
    public float* Forward(float* image, float* bias, int thread)
    {
        Split(image, _phases[thread][0]);
        return Dense.Forward(_phases[thread][0], bias, thread);
    }

    /// <summary>
    /// Backward for a group whose output gradients are already in the dense layer's slots: weight gradient added to
    /// <paramref name="weightGradient"/> in the layer's own [Cout][Cin][k][k] order, input gradients to
    /// <paramref name="inputGradients"/> (null, or per image; an entry may be null).
    /// </summary>
    public void Backward(float** images, float** inputGradients, int count, float* weightGradient, float* biasGradient, int thread)
    {
        var d = Dense.Geometry;
        float** phases = stackalloc float*[count];
        float** phaseGradients = stackalloc float*[count];
        for (int k = 0; k < count; k++)
        {
            Split(images[k], _phases[thread][k]);
            phases[k] = _phases[thread][k];
            phaseGradients[k] = inputGradients == null || inputGradients[k] == null ? null : _phaseGradients[thread][k];
        }
        float* dense = _weightGradient[thread];
        new Span<float>(dense, d.WeightCount).Clear();
        Dense.Backward(phases, inputGradients == null ? null : phaseGradients, count, dense, biasGradient, thread);

        int s = _g.Stride, kernel = _g.Kernel, q = d.Kernel;
        for (int co = 0; co < _g.OutChannels; co++)
            for (int ci = 0; ci < _g.InChannels; ci++)
                for (int ky = 0; ky < kernel; ky++)
                    for (int kx = 0; kx < kernel; kx++)
                    {
                        long from = ((long)co * d.InChannels + (ky % s * s + kx % s) * _g.InChannels + ci) * q * q + ky / s * q + kx / s;
                        weightGradient[((co * _g.InChannels + ci) * kernel + ky) * kernel + kx] += dense[from];
                    }
        for (int k = 0; k < count; k++)
            if (phaseGradients[k] != null) Merge(phaseGradients[k], inputGradients![k]);
    }

    /// <summary>The image ([Cin][H][W]) padded and split into its phases ([s^2 Cin][Hq][Wq]), zeros outside the padded image.</summary>
    private void Split(float* image, float* phases)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, p = _g.Padding;
        for (int ry = 0; ry < s; ry++)
            for (int rx = 0; rx < s; rx++)
                for (int ci = 0; ci < _g.InChannels; ci++)
                {
                    float* plane = phases + ((ry * s + rx) * _g.InChannels + ci) * (long)d.Height * d.Width;
                    float* source = image + (long)ci * _g.Height * _g.Width;
                    for (int u = 0; u < d.Height; u++)
                    {
                        int y = s * u + ry - p;
                        float* row = plane + u * d.Width;
                        if (y < 0 || y >= _g.Height)
                        {
                            new Span<float>(row, d.Width).Clear();
                            continue;
                        }
                        for (int v = 0; v < d.Width; v++)
                        {
                            int x = s * v + rx - p;
                            row[v] = x >= 0 && x < _g.Width ? source[y * _g.Width + x] : 0f;
                        }
                    }
                }
    }

    /// <summary>The phases' gradient back to the image's: each input pixel is one phase pixel (0 past the last phase row or column).</summary>
    private void Merge(float* phaseGradient, float* inputGradient)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, p = _g.Padding;
        for (int ci = 0; ci < _g.InChannels; ci++)
            for (int y = 0; y < _g.Height; y++)
            {
                int u = (y + p) / s, ry = (y + p) % s;
                float* to = inputGradient + ((long)ci * _g.Height + y) * _g.Width;
                for (int x = 0; x < _g.Width; x++)
                {
                    int v = (x + p) / s, rx = (x + p) % s;
                    to[x] = u < d.Height && v < d.Width
                        ? phaseGradient[(((long)(ry * s + rx) * _g.InChannels + ci) * d.Height + u) * d.Width + v]
                        : 0f;
                }
            }
    }
}
