using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// One Conv2d's train-mode forward and backward for one image at a time, with its packed weights, column tables
/// and per-thread scratch preallocated. Forward leaves the output in wide layout (channel co, pixel (y, x) at
/// co * <see cref="OutputPlane"/> + y * <see cref="OutputRowStride"/> + x, see <see cref="WideConvolution{TV,TOps}"/>) for a
/// fused epilogue to copy out; backward reads the output gradient from the padded-wide buffer of
/// <see cref="OutputGradient"/>, which the layer after it fills. Grouped convolutions run
/// the same kernels block-diagonally, group by group on the group's channel slices (each group's packed weights are
/// contiguous; a depthwise layer's groups are one channel each). A strided layer, grouped or not, runs as a stride-1
/// one on its input's phases (<see cref="PhaseSplitConvolution{TV,TOps}"/>), whose output and output-gradient buffers it
/// hands out as its own (hence the layout properties: a copy into this layer's rows each way cost more than the split).
/// The per-image loops around the kernels (padding copies, crops, bias sums) compile straight to optimised code like the
/// kernels: in tier 0 the 8x8 depthwise layer's padding copy took 9 µs an image, five times its convolution, until the
/// JIT's tiering delay ran out (never, in a short benchmark).
/// </summary>
internal sealed unsafe class Conv2dLayer<TV, TOps>
    where TV : struct
    where TOps : struct, IVectorOps<TV>
{
    private readonly int* _forwardColumns;
    private readonly int* _backwardColumns;
    private readonly ColumnBands _backwardBands;
    private readonly float* _packedForward;
    private readonly float* _packedBackward;
    private readonly float*[][] _padded;
    private readonly float*[] _wideOutput;
    private readonly float*[][] _outputGradient;
    private readonly float**[] _groupInputs;
    private readonly long _inputSlot, _gradientSlot;
    private readonly float*[] _inputGradient;

    /// <summary>A strided layer as a stride-1 one on its input's phases (see <see cref="PhaseSplitConvolution{TV,TOps}"/>);
    /// null otherwise.</summary>
    private readonly PhaseSplitConvolution<TV, TOps>? _split;

    public Conv2dGeometry Geometry { get; }

    /// <summary>
    /// Images whose weight gradient is summed in one pass (see <see cref="WideConvolution{TV,TOps}.WeightGradient"/>):
    /// 8 (a trainer's chunk) up to planes of 1,024 positions, fewer above. Each block of the weight gradient ends in
    /// horizontal sums and scattered adds; one image of DefaultNet's 26x26 layer gave a block only 39 vectors of
    /// positions, and summing 8 images in one pass raised that layer's weight gradient from ~86 to ~101 GFLOP/s and the
    /// one-thread step by 8-15% (the 8 output gradients, ~590 KB, still stream from L2).
    /// </summary>
    public int GroupSize { get; }

    /// <summary>Floats between output channels in <see cref="Forward"/>'s result.</summary>
    public int OutputPlane { get; }

    /// <summary>Floats between output rows in <see cref="Forward"/>'s result and in <see cref="OutputGradient"/>.</summary>
    public int OutputRowStride { get; }

    /// <summary>Where channel 0's first output-gradient pixel lies in <see cref="OutputGradient"/>.</summary>
    public int GradientFront { get; }

    /// <summary>Floats between output-gradient channels in <see cref="OutputGradient"/>.</summary>
    public int GradientPlane { get; }

    public Conv2dLayer(Conv2dGeometry geometry, int threads, NativeArena arena)
    {
        geometry.Validate();
        Geometry = geometry;
        _padded = new float*[threads][];
        _wideOutput = new float*[threads];
        _outputGradient = new float*[threads][];
        _inputGradient = new float*[threads];
        _groupInputs = new float**[threads];
        if (!geometry.IsWide)
        {
            // The stride-1 layer's buffers are this one's: same output size, its own row stride.
            _split = new PhaseSplitConvolution<TV, TOps>(geometry, threads, arena);
            var dense = _split.Dense;
            (GroupSize, OutputPlane, OutputRowStride) = (dense.GroupSize, dense.OutputPlane, dense.OutputRowStride);
            (GradientFront, GradientPlane) = (dense.GradientFront, dense.GradientPlane);
            return;
        }
        var g = geometry;
        (OutputPlane, OutputRowStride, GradientFront, GradientPlane) = (g.OutputPositions, g.PaddedWidth, g.GradientFront, g.GradientPlane);
        _forwardColumns = arena.Copy(g.ForwardColumns());
        _backwardColumns = arena.Copy(BackwardDataColumnsByKernelRow(g));
        var (first, end) = BackwardDataBands(g);
        int from = g.RoundDown(g.Padding * g.PaddedWidth + g.Padding);
        // A 1x1 kernel has one kernel row: nothing to skip, so no per-block band look-ups either.
        _backwardBands = g.Kernel == 1 ? default : new ColumnBands(arena.Copy(first), arena.Copy(end), from, g.PaddedWidth);
        _packedForward = arena.Floats(g.WeightCount);
        _packedBackward = arena.Floats(g.WeightCount);
        GroupSize = Math.Clamp(8192 / g.OutputPositions, 1, 8);
        // A group's slots lie at one stride (see WideConvolution.WeightGradient). The input slots hold the padded
        // copies, or (unpadded) copies of images the caller did not give at one stride.
        _inputSlot = (long)g.InChannels * g.InputPlane + Conv2dGeometry.Slack;
        _gradientSlot = (long)g.OutChannels * g.GradientPlane + Conv2dGeometry.Slack;
        for (int t = 0; t < threads; t++)
        {
            _padded[t] = new float*[GroupSize];
            _outputGradient[t] = new float*[GroupSize];
            float* inputSlots = arena.Floats(GroupSize * _inputSlot), gradientSlots = arena.Floats(GroupSize * _gradientSlot);
            for (int slot = 0; slot < GroupSize; slot++)
            {
                _padded[t][slot] = inputSlots + slot * _inputSlot;
                _outputGradient[t][slot] = gradientSlots + slot * _gradientSlot;
            }
            _wideOutput[t] = arena.Floats((long)g.OutChannels * g.OutputPositions + Conv2dGeometry.Slack);
            _inputGradient[t] = arena.Floats((long)g.InChannels * g.InputGradientPositions + Conv2dGeometry.Slack);
            _groupInputs[t] = (float**)arena.Floats(2 * GroupSize);
        }
    }

    /// <summary>Takes the current weights ([Cout][Cin/G][k][k]); call after every update, before the next forward.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Pack(float* weight)
    {
        if (_split != null)
        {
            _split.Pack(weight);
            return;
        }
        var g = Geometry;
        for (int group = 0, at = 0; group < g.Groups; group++, at += g.GroupWeightCount)
        {
            WeightPacking.PackForward(weight + at, g.GroupOutChannels, g.GroupInChannels * g.Taps, _packedForward + at);
            PackBackwardDataByKernelRow(weight + at, g.GroupOutChannels, g.GroupInChannels, g.Kernel, _packedBackward + at);
        }
    }

    /// <summary>
    /// The output of one image ([Cin][H][W], followed by at least <see cref="Conv2dGeometry.Slack"/> readable floats)
    /// in wide layout: channel co, pixel (y, x) at co * <see cref="OutputPlane"/> + y * <see cref="OutputRowStride"/> + x.
    /// Valid until the next call on this thread.
    /// </summary>
    public float* Forward(float* image, float* bias, int thread)
    {
        if (_split != null) return _split.Forward(image, bias, thread);
        var g = Geometry;
        float* output = _wideOutput[thread];
        WideConvolution<TV, TOps>.Forward(Input(image, thread, 0), (nint)g.GroupInChannels * g.InputPlane, g.Groups, _forwardColumns,
            g.GroupInChannels * g.Taps, _packedForward, g.GroupOutChannels, bias, output, g.OutputPositions, g.OutputPositions);
        return output;
    }

    /// <summary>
    /// Where the layer after this one writes dL/d(output) for the image in group slot <paramref name="slot"/>: pixel
    /// (co, y, x) at <see cref="GradientIndex"/>. Zero elsewhere, and kept so.
    /// </summary>
    public float* OutputGradient(int thread, int slot = 0) =>
        _split != null ? _split.Dense.OutputGradient(thread, slot) : _outputGradient[thread][slot];

    public int GradientIndex(int co, int y, int x) => co * GradientPlane + GradientFront + y * OutputRowStride + x;

    /// <summary>
    /// Adds this image's weight (and bias) gradient to the thread's accumulators and, unless <paramref name="inputGradient"/>
    /// is null (first layer), writes dL/d(input) compactly ([Cin][H][W]). The output gradient is read from slot 0.
    /// </summary>
    public void Backward(float* image, float* inputGradient, float* weightGradient, float* biasGradient, int thread) =>
        Backward(&image, &inputGradient, 1, weightGradient, biasGradient, thread);

    /// <summary>
    /// <see cref="Backward(float*, float*, float*, float*, int)"/> for up to <see cref="GroupSize"/> images at once, image
    /// k's output gradient in slot k; <paramref name="inputGradients"/> null, or per image (an entry may be null).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Backward(float** images, float** inputGradients, int count, float* weightGradient, float* biasGradient, int thread)
    {
        if (_split != null)
        {
            _split.Backward(images, inputGradients, count, weightGradient, biasGradient, thread);
            return;
        }
        var g = Geometry;
        float** inputs = _groupInputs[thread];
        for (int k = 0; k < count; k++)
        {
            float* input = Input(images[k], thread, k);
            float* dy = _outputGradient[thread][k];
            float* dx = inputGradients == null ? null : inputGradients[k];
            inputs[k] = input;
            if (biasGradient != null) AddBiasGradient(dy, biasGradient);
            if (dx != null)
            {
                // Only the whole vectors that hold unpadded pixels: the crop never reads the rest. A padded 4x4 layer
                // computes 4 vectors of its 6x6 plane instead of 5; each pixel's sum is the same either way.
                int from = g.RoundDown(g.Padding * g.PaddedWidth + g.Padding);
                int to = g.RoundUp((g.Padding + g.Height - 1) * g.PaddedWidth + g.Padding + g.Width);
                // The transposed convolution, block-diagonal like the forward: group g's input-gradient channels from its dy channels.
                // Blocks in the top and bottom rows skip the kernel rows that read the zero border (_backwardBands).
                WideConvolution<TV, TOps>.ForwardInBands(dy + from, (nint)g.GroupOutChannels * g.GradientPlane, g.Groups, _backwardColumns,
                    g.GroupOutChannels * g.Taps, _packedBackward, g.GroupInChannels, _inputGradient[thread] + from,
                    g.InputGradientPositions, to - from, _backwardBands);
                CropInputGradient(_inputGradient[thread], dx);
            }
        }

        float* x = EvenlySpaced(inputs, count, thread, out nint xStride);
        WideConvolution<TV, TOps>.WeightGradient(_outputGradient[thread][0] + g.GradientFront, (nint)_gradientSlot, x, xStride,
            (nint)g.GroupInChannels * g.InputPlane, g.Groups, count, g.GradientPlane, g.GroupOutChannels, _forwardColumns, g.GroupInChannels * g.Taps,
            weightGradient, g.OutputPositions);
    }

    /// <summary>
    /// The backward-data columns (see <see cref="Conv2dGeometry.BackwardDataColumns"/>) in kernel-row order, (ky, co, kx),
    /// so that the taps of a range of kernel rows are one range of columns (see <see cref="BackwardDataBands"/>).
    /// </summary>
    internal static int[] BackwardDataColumnsByKernelRow(Conv2dGeometry g)
    {
        int k = g.Kernel, channels = g.GroupOutChannels;
        var columns = new int[channels * g.Taps];
        for (int ky = 0, j = 0; ky < k; ky++)
            for (int co = 0; co < channels; co++)
                for (int kx = 0; kx < k; kx++, j++)
                    columns[j] = co * g.GradientPlane + g.GradientFront - ky * g.PaddedWidth - kx;
        return columns;
    }

    /// <summary>
    /// For each row iy of the wide input-gradient plane, the columns whose output-gradient row iy - ky is one of the
    /// Ho real ones: kernel rows max(0, iy - Ho + 1) to min(k - 1, iy). The others read only zeros. Both ends are
    /// non-decreasing in iy, as <see cref="ColumnBands"/> needs (rows past the last real one get an empty range).
    /// </summary>
    internal static (int[] First, int[] End) BackwardDataBands(Conv2dGeometry g)
    {
        int rows = g.InputGradientPositions / g.PaddedWidth + 1, perRow = g.GroupOutChannels * g.Kernel;
        var (first, end) = (new int[rows], new int[rows]);
        for (int iy = 0; iy < rows; iy++)
        {
            first[iy] = Math.Min(Math.Max(0, iy - g.OutHeight + 1), g.Kernel) * perRow;
            end[iy] = Math.Max(Math.Min(g.Kernel - 1, iy) + 1, first[iy] / perRow) * perRow;
        }
        return (first, end);
    }

    /// <summary>
    /// <see cref="WeightPacking.PackBackwardData"/> with the columns in <see cref="BackwardDataColumnsByKernelRow"/>'s
    /// order: w'[ci][(ky, co, kx)] = w[co][ci][ky][kx], four input channels interleaved per column, then the rest.
    /// </summary>
    private static void PackBackwardDataByKernelRow(float* weight, int outChannels, int inChannels, int k, float* packed)
    {
        int taps = k * k, ci = 0;
        for (; ci + 4 <= inChannels; ci += 4)
            for (int ky = 0; ky < k; ky++)
                for (int co = 0; co < outChannels; co++)
                    for (int kx = 0; kx < k; kx++)
                        for (int c = 0; c < 4; c++) *packed++ = weight[(co * inChannels + ci + c) * taps + ky * k + kx];
        for (; ci < inChannels; ci++)
            for (int ky = 0; ky < k; ky++)
                for (int co = 0; co < outChannels; co++)
                    for (int kx = 0; kx < k; kx++) *packed++ = weight[(co * inChannels + ci) * taps + ky * k + kx];
    }

    /// <summary>
    /// The group's inputs as a first image and a stride: as given when they are evenly spaced (the trainers' batches,
    /// and the padded slots), else copied into the slots (unpadded layers only; the copy changes no value).
    /// </summary>
    private float* EvenlySpaced(float** inputs, int count, int thread, out nint stride)
    {
        stride = count > 1 ? (nint)(inputs[1] - inputs[0]) : 0;
        bool even = true;
        for (int k = 2; k < count && even; k++) even = inputs[k] - inputs[k - 1] == stride;
        if (even) return inputs[0];
        int size = Geometry.InputSize;
        for (int k = 0; k < count; k++)
            new System.Span<float>(inputs[k], size).CopyTo(new System.Span<float>(_padded[thread][k], size));
        stride = (nint)_inputSlot;
        return _padded[thread][0];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private float* Input(float* image, int thread, int slot)
    {
        var g = Geometry;
        int pad = g.Padding, height = g.Height, width = g.Width, channels = g.InChannels, wp = g.PaddedWidth, plane = g.InputPlane;
        if (pad == 0) return image;
        float* padded = _padded[thread][slot];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                RowCopy.Copy(image + (c * height + y) * width, padded + c * plane + (y + pad) * wp + pad, width);
        return padded;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddBiasGradient(float* dy, float* biasGradient)
    {
        var g = Geometry;
        int channels = g.OutChannels, height = g.OutHeight, width = g.OutWidth;
        for (int co = 0; co < channels; co++)
        {
            float sum = 0;
            for (int y = 0; y < height; y++)
            {
                float* row = dy + GradientIndex(co, y, 0);
                for (int x = 0; x < width; x++) sum += row[x];
            }
            biasGradient[co] += sum;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CropInputGradient(float* wide, float* compact)
    {
        var g = Geometry;
        int plane = g.InputGradientPositions, pad = g.Padding, height = g.Height, width = g.Width, channels = g.InChannels, wp = g.PaddedWidth;
        if (pad == 0)
        {
            // Unpadded rows are already contiguous: one copy per channel.
            int size = height * width;
            for (int c = 0; c < channels; c++)
                new System.Span<float>(wide + c * plane, size).CopyTo(new System.Span<float>(compact + c * size, size));
            return;
        }

        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                RowCopy.Copy(wide + c * plane + (y + pad) * wp + pad, compact + (c * height + y) * width, width);
    }
}
