using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A strided ungrouped Conv2d as one matrix product per group of images: the group's input patches are laid out as a
/// matrix P[j][n] (j = (ci, ky, kx), n = image k's output pixel k * Ho * Wo + oy * Wo + ox, zero where the window
/// reaches into the padding), and output[co][n] = bias[co] + sum over j of w[co][j] P[j][n] runs on
/// <see cref="WideConvolution{TV,TOps}"/>'s kernel with the columns j * stride. Backward: the weight gradient is
/// <see cref="WideConvolution{TV,TOps}.WeightGradient"/> over the same matrix, the input gradient the product of the
/// transposed weights with the output gradient, scattered back onto the image (col2im).
/// Why: the phase-split stride-1 layer (<see cref="PhaseSplitConvolution{TV,TOps}"/>) pays per image for its phase
/// copies, its wide rows and its tiny planes (a 2x2 output is one vector of 16 lanes, 4 of them used); the small
/// random stacks' strided layers (1->11 k2 s3, 11->6 k7 s3 to 2x2) ran at 0.5-4 GFLOP/s there. Here the positions of
/// several images fill the vectors, and the only per-image work is the patch copy (depth * Ho * Wo floats).
/// Every sum runs in a fixed order over a fixed group of images, so the bits depend on the chunk, not on the thread.
/// </summary>
internal sealed unsafe class PatchConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    /// <summary>Floats of one thread's patch matrix that set how many images a group holds (a few hundred KB at most).</summary>
    private const int PatchBudget = 48 * 1024;

    private readonly int _depth, _plane;
    private readonly int* _patchColumns, _gradientColumns;
    private readonly float* _packed, _packedTransposed, _transposed;
    private readonly int* _from, _to;
    private readonly float*[] _patches, _outputs, _outputGradients, _patchGradients, _images;

    public Conv2dGeometry Geometry { get; }

    /// <summary>Images whose patches share one matrix product.</summary>
    public int GroupSize { get; }

    /// <summary>Row stride of every matrix: the positions of a full group, rounded up to whole vectors.</summary>
    public int Stride { get; }

    public PatchConvolution(Conv2dGeometry geometry, int threads, NativeArena arena)
    {
        if (geometry.Groups != 1)
            throw new ArgumentException($"the patch convolution runs ungrouped layers; this one has {geometry.Groups} groups");
        Geometry = geometry;
        var g = geometry;
        _depth = g.InChannels * g.Taps;
        _plane = g.OutHeight * g.OutWidth;
        GroupSize = Math.Clamp(PatchBudget / (_depth * _plane), 1, ComposedTrainer<TV, TOps>.ChunkSize);
        Stride = g.RoundUp(GroupSize * _plane);
        _patchColumns = arena.Ints(_depth);
        for (int j = 0; j < _depth; j++) _patchColumns[j] = j * Stride;
        _gradientColumns = arena.Ints(g.OutChannels);
        for (int co = 0; co < g.OutChannels; co++) _gradientColumns[co] = co * Stride;
        _packed = arena.Floats(g.WeightCount);
        _packedTransposed = arena.Floats(g.WeightCount);
        _transposed = arena.Floats(g.WeightCount);
        _from = arena.Ints((long)_depth * _plane);
        _to = arena.Ints((long)_depth * _plane);
        Tables();
        _images = new float*[threads];
        _patches = new float*[threads];
        _outputs = new float*[threads];
        _outputGradients = new float*[threads];
        _patchGradients = new float*[threads];
        for (int t = 0; t < threads; t++)
        {
            _images[t] = arena.Floats(g.InputSize + 1);
            _patches[t] = arena.Floats((long)_depth * Stride + Conv2dGeometry.Slack);
            _patchGradients[t] = arena.Floats((long)_depth * Stride + Conv2dGeometry.Slack);
            _outputs[t] = arena.Floats((long)g.OutChannels * Stride + Conv2dGeometry.Slack);
            _outputGradients[t] = arena.Floats((long)g.OutChannels * Stride + Conv2dGeometry.Slack);
        }
    }

    /// <summary>Takes the current weights ([Cout][Cin][k][k]); call after every update, before the next forward.</summary>
    public void Pack(float* weight)
    {
        int outChannels = Geometry.OutChannels;
        WeightPacking.PackForward(weight, outChannels, _depth, _packed);
        for (int co = 0; co < outChannels; co++)
            for (int j = 0; j < _depth; j++) _transposed[j * outChannels + co] = weight[co * _depth + j];
        WeightPacking.PackForward(_transposed, _depth, outChannels, _packedTransposed);
    }

    /// <summary>
    /// The output of images [first, first + count) (count at most <see cref="GroupSize"/>, compact [Cin][H][W] each at
    /// <paramref name="input"/> + i * InputSize): image k's channel co at the returned matrix + co * <see cref="Stride"/> +
    /// k * Ho * Wo, rows of Wo. Valid until the next call on this thread.
    /// </summary>
    public float* Forward(float* input, int first, int count, float* bias, int thread)
    {
        var g = Geometry;
        int positions = g.RoundUp(count * _plane);
        float* patch = _patches[thread], output = _outputs[thread];
        Gather(input, first, count, patch, positions, thread);
        WideConvolution<TV, TOps>.Forward(patch, 0, 1, _patchColumns, _depth, _packed, g.OutChannels, bias, output, Stride, positions);
        return output;
    }

    /// <summary>
    /// Where the caller writes dL/d(output) of the group before <see cref="Backward"/>: image k's channel co at
    /// + co * <see cref="Stride"/> + k * Ho * Wo, rows of Wo (the same layout as <see cref="Forward"/>'s result).
    /// </summary>
    public float* OutputGradient(int thread) => _outputGradients[thread];

    /// <summary>
    /// Backward for images [first, first + count) whose output gradients are in <see cref="OutputGradient"/>: weight and
    /// bias (unless null) gradients added, input gradient written compactly to <paramref name="inputGradient"/> +
    /// i * InputSize unless it is null.
    /// </summary>
    public void Backward(float* input, float* inputGradient, int first, int count, float* weightGradient, float* biasGradient, int thread)
    {
        var g = Geometry;
        int used = count * _plane, positions = g.RoundUp(used);
        float* patch = _patches[thread], dy = _outputGradients[thread];
        // The weight-gradient kernel sums whole vectors: the positions past the group's must be zero.
        for (int co = 0; co < g.OutChannels; co++) new Span<float>(dy + co * Stride + used, positions - used).Clear();
        if (biasGradient != null)
            for (int co = 0; co < g.OutChannels; co++)
            {
                float sum = 0;
                float* row = dy + co * Stride;
                for (int n = 0; n < used; n++) sum += row[n];
                biasGradient[co] += sum;
            }
        Gather(input, first, count, patch, positions, thread);
        WideConvolution<TV, TOps>.WeightGradient(dy, 0, patch, 0, 0, 1, 1, Stride, g.OutChannels, _patchColumns, _depth, weightGradient, positions);
        if (inputGradient == null) return;
        float* dp = _patchGradients[thread];
        WideConvolution<TV, TOps>.Forward(dy, 0, 1, _gradientColumns, g.OutChannels, _packedTransposed, _depth, null, dp, Stride, positions);
        Scatter(dp, inputGradient, first, count, thread);
    }

    /// <summary>P[j][k * plane + oy * Wo + ox] = image k's pixel under tap j of that output (0 in the padding); zero past the group.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Gather(float* input, int first, int count, float* patch, int positions, int thread)
    {
        int size = Geometry.InputSize, entries = _depth * _plane, used = count * _plane;
        float* image = _images[thread];
        // The scatter adds the padding taps' gradients into this float: it is zeroed again here.
        image[size] = 0;
        for (int k = 0; k < count; k++)
        {
            // A copy whose float past the end is the zero every padding tap reads: one loop without a branch.
            new Span<float>(input + (long)(first + k) * size, size).CopyTo(new Span<float>(image, size));
            float* to = patch + k * _plane;
            for (int e = 0; e < entries; e++) to[_to[e]] = image[_from[e]];
        }
        if (positions > used)
            for (int j = 0; j < _depth; j++) new Span<float>(patch + (long)j * Stride + used, positions - used).Clear();
    }

    /// <summary>The patch gradients back onto the images (each input pixel sums the taps that read it), compact [Cin][H][W].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Scatter(float* dp, float* inputGradient, int first, int count, int thread)
    {
        int size = Geometry.InputSize, entries = _depth * _plane;
        float* image = _images[thread];
        for (int k = 0; k < count; k++)
        {
            // The padding taps all add into the float past the end, which is dropped.
            new Span<float>(image, size + 1).Clear();
            float* from = dp + k * _plane;
            for (int e = 0; e < entries; e++) image[_from[e]] += from[_to[e]];
            new Span<float>(image, size).CopyTo(new Span<float>(inputGradient + (long)(first + k) * size, size));
        }
    }

    /// <summary>
    /// The gather's tables, one entry per (tap j, output pixel q) of an image: the input offset it reads (the image's
    /// size, one past its end, in the padding) and its place in the patch matrix, j * stride + q.
    /// </summary>
    private void Tables()
    {
        var g = Geometry;
        int e = 0;
        for (int ci = 0; ci < g.InChannels; ci++)
            for (int ky = 0; ky < g.Kernel; ky++)
                for (int kx = 0; kx < g.Kernel; kx++)
                    for (int oy = 0; oy < g.OutHeight; oy++)
                        for (int ox = 0; ox < g.OutWidth; ox++, e++)
                        {
                            int y = oy * g.Stride + ky - g.Padding, x = ox * g.Stride + kx - g.Padding;
                            _from[e] = y >= 0 && y < g.Height && x >= 0 && x < g.Width ? (ci * g.Height + y) * g.Width + x : g.InputSize;
                            _to[e] = ((ci * g.Kernel + ky) * g.Kernel + kx) * Stride + oy * g.OutWidth + ox;
                        }
    }
}
