using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A Conv2d (any stride, padding, groups) a group of images at a time, each output summed straight from its patch of
/// the input with one image per vector lane (<see cref="ImageLaneKernels{TV,TOps}"/>): the group's compact images are
/// interleaved into a padded buffer, the products run there, and the results are laid out back. The API keeps the
/// compact tensors' layout per channel: image k's channel co at co * <see cref="Stride"/> + k * Ho * Wo, rows of Wo.
/// Why: the phase-split stride-1 layer (<see cref="PhaseSplitConvolution{TV,TOps}"/>) pays per image for its phase copies,
/// its wide rows (a 5x5 output on 8-wide rows fills 25 of 48 lanes) and its zero taps; an im2col patch matrix paid a
/// gather per tap and output pixel (784 taps gathered 25 times an image in random3's 16->10 k7 s2). Here every lane of
/// every multiply-add is a real product, and the per-image work is one pass over the input, output and their gradients.
/// The lanes are 8 images (a chunk, <see cref="ComposedTrainer{TV,TOps}.ChunkSize"/>) at the 512-bit width too: 16
/// would leave half of them empty. Every sum runs in a fixed order over a fixed group, so the bits depend on the chunk,
/// not on the thread.
/// </summary>
internal sealed unsafe class PatchConvolution<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly int _plane, _lanes, _slots;
    private readonly long _inputFloats;
    private readonly float* _packed;
    private readonly float*[] _input, _inputGradient, _output, _outputGradient, _outputs, _outputGradients;

    public Conv2dGeometry Geometry { get; }

    /// <summary>Images per group: the lanes of a vector.</summary>
    public int GroupSize => _lanes;

    /// <summary>Row stride of the result matrices: the positions of a full group, rounded up to whole vectors.</summary>
    public int Stride { get; }

    /// <summary>Whether the kernels run 8-lane vectors for a wider <typeparamref name="TV"/>.</summary>
    private static bool Narrowed => TOps.Count > 8;

    public PatchConvolution(Conv2dGeometry geometry, int threads, NativeArena arena)
    {
        geometry.Validate();
        Geometry = geometry;
        var g = geometry;
        _lanes = Math.Min(TOps.Count, 8);
        _plane = g.OutHeight * g.OutWidth;
        _slots = ImageLaneKernels<TV, TOps>.Slots(g);
        Stride = g.RoundUp(_lanes * _plane);
        _inputFloats = (long)g.InChannels * g.PaddedHeight * g.PaddedWidth * _lanes;
        int slack = (g.PaddedWidth + g.Kernel + g.Stride + 1) * _lanes;
        _packed = arena.Floats((long)_slots * g.GroupInChannels * g.Taps);
        (_input, _inputGradient, _output, _outputGradient) = (new float*[threads], new float*[threads], new float*[threads], new float*[threads]);
        (_outputs, _outputGradients) = (new float*[threads], new float*[threads]);
        for (int t = 0; t < threads; t++)
        {
            _input[t] = arena.Floats(_inputFloats + slack);
            _inputGradient[t] = arena.Floats(_inputFloats + slack);
            _output[t] = arena.Floats((long)_slots * _plane * _lanes);
            _outputGradient[t] = arena.Floats((long)_slots * _plane * _lanes);
            _outputs[t] = arena.Floats((long)g.OutChannels * Stride + Conv2dGeometry.Slack);
            _outputGradients[t] = arena.Floats((long)g.OutChannels * Stride + Conv2dGeometry.Slack);
        }
    }

    /// <summary>Takes the current weights ([Cout][Cin/G][k][k]); call after every update, before the next forward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(float* weight) => ImageLaneKernels<TV, TOps>.Pack(Geometry, weight, _packed);

    /// <summary>
    /// The output of images [first, first + count) (count at most <see cref="GroupSize"/>, compact [Cin][H][W] each at
    /// <paramref name="input"/> + i * InputSize): image k's channel co at the returned matrix + co * <see cref="Stride"/> +
    /// k * Ho * Wo, rows of Wo. Valid until the next call on this thread.
    /// </summary>
    public float* Forward(float* input, int first, int count, float* bias, int thread)
    {
        Forward(input, first, count, bias, thread, _outputs[thread], Stride, _plane);
        return _outputs[thread];
    }

    /// <summary>
    /// <c>Forward</c> into the caller's tensor: image k's channel co at
    /// <paramref name="output"/> + co * <paramref name="channelStride"/> + k * <paramref name="imageStride"/>, rows of Wo.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Forward(float* input, int first, int count, float* bias, int thread, float* output, long channelStride, long imageStride)
    {
        float* x = _input[thread], y = _output[thread];
        Interleave(input, first, count, x);
        if (Narrowed) ImageLaneKernels<Vector256<float>, Vec256>.Forward(Geometry, x, _packed, bias, y);
        else ImageLaneKernels<TV, TOps>.Forward(Geometry, x, _packed, bias, y);
        for (int co = 0; co < Geometry.OutChannels; co++)
            LaneTranspose.Apart(y + (long)ImageLaneKernels<TV, TOps>.Slot(Geometry, co) * _plane * _lanes, _lanes, count, _plane,
                output + co * channelStride, imageStride);
    }

    /// <summary>
    /// Where the caller writes dL/d(output) of the group before the matrix <c>Backward</c>: image k's channel co at
    /// + co * <see cref="Stride"/> + k * Ho * Wo, rows of Wo (the same layout as the matrix <c>Forward</c>'s result).
    /// </summary>
    public float* OutputGradient(int thread) => _outputGradients[thread];

    /// <summary>
    /// Backward for images [first, first + count) whose output gradients are in <see cref="OutputGradient"/>: weight and
    /// bias (unless null) gradients added, input gradient written compactly to <paramref name="inputGradient"/> +
    /// i * InputSize unless it is null.
    /// </summary>
    public void Backward(float* input, float* inputGradient, int first, int count, float* weightGradient, float* biasGradient, int thread) =>
        Backward(_outputGradients[thread], Stride, _plane, input, inputGradient, first, count, weightGradient, biasGradient, thread);

    /// <summary>
    /// The backward above, reading the output gradient from the caller's
    /// tensor: image k's channel co at <paramref name="outputGradient"/> + co * <paramref name="channelStride"/> + k *
    /// <paramref name="imageStride"/>, rows of Wo.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(float* outputGradient, long channelStride, long imageStride, float* input, float* inputGradient, int first, int count,
        float* weightGradient, float* biasGradient, int thread)
    {
        var g = Geometry;
        float* x = _input[thread], dy = _outputGradient[thread], dx = _inputGradient[thread];
        // A short group's empty lanes must add nothing to the sums over lanes: zero products.
        if (count < _lanes) new Span<float>(dy, _slots * _plane * _lanes).Clear();
        for (int co = 0; co < g.OutChannels; co++)
            LaneTranspose.Together(outputGradient + co * channelStride, imageStride, count, _plane,
                dy + (long)ImageLaneKernels<TV, TOps>.Slot(g, co) * _plane * _lanes, _lanes);
        Interleave(input, first, count, x);
        if (inputGradient != null) new Span<float>(dx, (int)_inputFloats).Clear();
        if (Narrowed) Products<Vector256<float>, Vec256>(x, dy, dx, inputGradient != null, weightGradient, biasGradient);
        else Products<TV, TOps>(x, dy, dx, inputGradient != null, weightGradient, biasGradient);
        if (inputGradient == null) return;
        int size = g.InputSize, h = g.Height, w = g.Width, p = g.Padding, wp = g.PaddedWidth;
        int rows = p == 0 ? 1 : h, length = p == 0 ? h * w : w;
        for (int c = 0; c < g.InChannels; c++)
            for (int y = 0; y < rows; y++)
                LaneTranspose.Apart(dx + (((long)c * g.PaddedHeight + y + p) * wp + p) * _lanes, _lanes, count, length,
                    inputGradient + (long)first * size + (c * h + y) * w, size);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Products<LV, LOps>(float* x, float* dy, float* dx, bool inputGradient, float* weightGradient, float* biasGradient)
        where LV : struct where LOps : struct, IVectorOps<LV>
    {
        if (biasGradient != null) ImageLaneKernels<LV, LOps>.BiasGradient(Geometry, dy, biasGradient);
        ImageLaneKernels<LV, LOps>.WeightGradient(Geometry, dy, x, weightGradient);
        if (inputGradient) ImageLaneKernels<LV, LOps>.InputGradient(Geometry, dy, _packed, dx);
    }

    /// <summary>Images [first, first + count) into the padded interleaved buffer (the borders stay zero; a short group's
    /// empty lanes are zeroed, so their products are finite and dropped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Interleave(float* input, int first, int count, float* x)
    {
        var g = Geometry;
        if (count < _lanes) new Span<float>(x, (int)_inputFloats).Clear();
        int size = g.InputSize, h = g.Height, w = g.Width, p = g.Padding, wp = g.PaddedWidth;
        // Unpadded, a channel's rows are contiguous on both sides: one run per channel.
        int rows = p == 0 ? 1 : h, length = p == 0 ? h * w : w;
        for (int c = 0; c < g.InChannels; c++)
            for (int y = 0; y < rows; y++)
                LaneTranspose.Together(input + (long)first * size + (c * h + y) * w, size, count, length,
                    x + (((long)c * g.PaddedHeight + y + p) * wp + p) * _lanes, _lanes);
    }
}
