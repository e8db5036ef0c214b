using System.Runtime.CompilerServices;

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
    private readonly float* _weight;
    private readonly float*[] _weightGradient;
    private readonly float*[][] _phaseImages, _phaseGradients;
    private readonly long _phaseSlot;

    /// <summary>Per input pixel ([Cin][H][W]), its index in the phases, or <see cref="_outside"/> when no tap reads it.</summary>
    private readonly int* _phaseIndex;

    /// <summary>
    /// An index in every phase slot that no kernel reads (past the input and its slack): the split writes the pixels no
    /// tap reads there, and in a gradient slot, which nothing writes there, it reads 0 for them.
    /// </summary>
    private readonly int _outside;

    /// <summary>Per weight of the layer ([Cout][Cin/G][k][k]), its index in the stride-1 layer's weights.</summary>
    private readonly int* _weightIndex;

    /// <summary>The stride-1 convolution on the phases.</summary>
    public Conv2dLayer<TV, TOps> Dense { get; }

    public PhaseSplitConvolution(Conv2dGeometry g, int threads, NativeArena arena)
    {
        _g = g;
        int s = g.Stride, taps = (g.Kernel + s - 1) / s, phases = Math.Min(s, g.Kernel);
        // Ho + taps - 1 phase rows: every output reads rows oy .. oy + taps - 1; rows past the padded input are zeros.
        Dense = new Conv2dLayer<TV, TOps>(new Conv2dGeometry(g.InChannels * phases * phases, g.OutChannels, g.OutHeight + taps - 1,
            g.OutWidth + taps - 1, taps, 1, 0, g.Bias, g.VectorWidth) { Groups = g.Groups }, threads, arena);
        var d = Dense.Geometry;
        _weight = arena.Floats(d.WeightCount);
        _outside = d.InputSize + Conv2dGeometry.Slack;
        _phaseSlot = d.RoundUp(_outside + 1);
        _phaseIndex = arena.Ints(g.InputSize);
        _weightIndex = arena.Ints(g.WeightCount);
        IndexPhases(phases);
        _weightGradient = new float*[threads];
        _phaseImages = new float*[threads][];
        _phaseGradients = new float*[threads][];
        for (int t = 0; t < threads; t++)
        {
            _weightGradient[t] = arena.Floats(d.WeightCount);
            _phaseImages[t] = new float*[Dense.GroupSize];
            _phaseGradients[t] = new float*[Dense.GroupSize];
            // Zeroed once: the phase pixels in the padding, and the gradient slots' outside cell, are never written.
            float* slots = arena.Floats(Dense.GroupSize * _phaseSlot), gradients = arena.Floats(Dense.GroupSize * _phaseSlot);
            for (int k = 0; k < Dense.GroupSize; k++)
            {
                _phaseImages[t][k] = slots + k * _phaseSlot;
                _phaseGradients[t][k] = gradients + k * _phaseSlot;
            }
        }
    }

    /// <summary>
    /// Fills the index tables. The stride-1 layer's channel of phase (ry, rx) of input channel c, ci = c within its group,
    /// is (group, ry, rx, ci); input pixel (y, x) is pixel ((y + p) / s, (x + p) / s) of phase ((y + p) % s, (x + p) % s),
    /// kept when both are below r; weight (co, ci, ky, kx) is tap (ky / s, kx / s) of co's row for phase (ky % s, kx % s).
    /// </summary>
    private void IndexPhases(int phases)
    {
        var d = Dense.Geometry;
        int s = _g.Stride, p = _g.Padding, k = _g.Kernel, q = d.Kernel, groupIn = _g.GroupInChannels;
        for (int c = 0; c < _g.InChannels; c++)
            for (int y = 0; y < _g.Height; y++)
                for (int x = 0; x < _g.Width; x++)
                {
                    int u = (y + p) / s, ry = (y + p) % s, v = (x + p) / s, rx = (x + p) % s;
                    int channel = ((c / groupIn * phases + ry) * phases + rx) * groupIn + c % groupIn;
                    bool read = ry < phases && rx < phases && u < d.Height && v < d.Width;
                    _phaseIndex[(c * _g.Height + y) * _g.Width + x] = read ? (channel * d.Height + u) * d.Width + v : _outside;
                }
        for (int co = 0; co < _g.OutChannels; co++)
            for (int ci = 0; ci < groupIn; ci++)
                for (int ky = 0; ky < k; ky++)
                    for (int kx = 0; kx < k; kx++)
                        _weightIndex[((co * groupIn + ci) * k + ky) * k + kx] =
                            ((co * d.GroupInChannels + (ky % s * phases + kx % s) * groupIn + ci) * q + ky / s) * q + kx / s;
    }

    /// <summary>The dense kernel from the layer's ([Cout][Cin/G][k][k]); zeros at the taps past k.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(float* weight)
    {
        var d = Dense.Geometry;
        new Span<float>(_weight, d.WeightCount).Clear();
        for (int i = 0; i < _g.WeightCount; i++) _weight[_weightIndex[i]] = weight[i];
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

        for (int i = 0; i < _g.WeightCount; i++) weightGradient[i] += dense[_weightIndex[i]];
        for (int k = 0; k < count; k++)
            if (phaseGradients[k] != null) Merge(phaseGradients[k], inputGradients![k]);
    }

    /// <summary>The image ([Cin][H][W]) into the phases: each pixel to its phase pixel (the padding stays zero).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Split(float* image, float* phases)
    {
        int* index = _phaseIndex;
        for (int i = 0, n = _g.InputSize; i < n; i++) phases[index[i]] = image[i];
    }

    /// <summary>The phases' gradient back to the image's: each input pixel's phase pixel, 0 where no tap reads it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Merge(float* phaseGradient, float* inputGradient)
    {
        int* index = _phaseIndex;
        for (int i = 0, n = _g.InputSize; i < n; i++) inputGradient[i] = phaseGradient[index[i]];
    }
}
