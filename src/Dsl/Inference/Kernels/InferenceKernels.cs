#if NET8_0_OR_GREATER
using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Simd;
using static Mnist.Dsl.Inference.Lanes;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The loops of every generated inference class (&lt;Network&gt;Inference), which only composes them: one call per
/// stage with its sizes and weights. They live here, in a library built in Release, so that a network's inference
/// runs at the same speed in its user's Debug build as in Release (the JIT compiles the code of a Debug assembly
/// without optimisations; code generated into it would run about 25 times slower). Activations are channels-last
/// with zero borders (<see cref="ActivationLayout"/>); each kernel checks its spans against the sizes once per
/// call, then reads and writes without bounds checks. Each kernel is written once over <see cref="IVectorOps{TV}"/> and
/// runs at <see cref="InferenceWidth"/>'s width, FMA where the CPU has it.
/// </summary>
public static partial class InferenceKernels
{
    /// <summary>Registers for accumulators: 16 vector registers minus one broadcast and the weight vectors.</summary>
    private const int AccumulatorBudget = 14;

    /// <summary>
    /// A convolution (or a Linear layer: a 1×1 convolution over a 1×1 map) with all its output channels at once.
    /// The input's border is the convolution's padding. <paramref name="weights"/> are [ky][kx][in][out padded to
    /// a multiple of 8] (<see cref="KernelLayout.Weights"/>), <paramref name="bias"/> the padded bias (zeros for none).
    /// </summary>
    public static void Convolution(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output, ActivationLayout outputLayout,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int kernel, int stride, Epilogue epilogue)
    {
        const string Name = nameof(Convolution);
        if (kernel < 1 || stride < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"{Name}: kernel {kernel} and stride {stride} must be 1 or more.");
        CheckWindow(Name, inputLayout, outputLayout, kernel, stride, inputLayout.Pad);
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        var paddedOut = (outputLayout.Channels + 7) / 8 * 8;
        var weightCount = (long)kernel * kernel * inputLayout.Channels * paddedOut;
        if (weights.Length != weightCount)
            throw new ArgumentException(
                $"{Name}: {weights.Length} weights; a {kernel}×{kernel} kernel from {inputLayout.Channels} to {outputLayout.Channels} channels " +
                $"(padded to {paddedOut}) needs {weightCount}.", nameof(weights));
        if (bias.Length < paddedOut)
            throw new ArgumentException(
                $"{Name}: {bias.Length} biases; {outputLayout.Channels} channels need {paddedOut} (padded to whole 8-wide vectors).", nameof(bias));
        epilogue.Check(outputLayout.Channels, Name);

        var call = new ConvolutionCall(input, inputLayout, output, outputLayout, weights, bias, stride,
            new TileGeometry(kernel, kernel * inputLayout.Channels, (nint)inputLayout.PaddedWidth * inputLayout.Channels,
                (nint)stride * inputLayout.Channels, paddedOut, outputLayout.Channels), epilogue);
        // Output channels are padded to whole 8-float vectors: 512-bit vectors only where they make whole ones.
        switch (paddedOut % Vec512.Count == 0 ? InferenceWidth.Bits : Math.Min(InferenceWidth.Bits, 256))
        {
            case 512: ForGroup<Vector512<float>, Vec512>(call); break;
            case 256: ForGroup<Vector256<float>, Vec256>(call); break;
            case 128: ForGroup<Vector128<float>, Vec128>(call); break;
            default: ForGroup<float, VecScalar>(call); break;
        }
    }

    private static void ForGroup<TV, TOps>(in ConvolutionCall call) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var vectors = (int)(call.Geometry.PaddedOut / TOps.Count);
        var group = vectors <= 4 ? vectors : vectors % 4 == 0 ? 4 : vectors % 3 == 0 ? 3 : vectors % 2 == 0 ? 2 : 1;
        var block = Math.Max(1, Math.Min(Math.Min(4, (AccumulatorBudget - group) / group), call.OutputLayout.Width));
        switch (group)
        {
            case 1: ForBlock<TV, TOps, One>(block, call); break;
            case 2: ForBlock<TV, TOps, Two>(block, call); break;
            case 3: ForBlock<TV, TOps, Three>(block, call); break;
            default: ForBlock<TV, TOps, Four>(block, call); break;
        }
    }

    private readonly ref struct ConvolutionCall(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output,
        ActivationLayout outputLayout,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int stride, TileGeometry geometry, Epilogue epilogue)
    {
        public readonly ReadOnlySpan<float> Input = input;
        public readonly ActivationLayout InputLayout = inputLayout;
        public readonly Span<float> Output = output;
        public readonly ActivationLayout OutputLayout = outputLayout;
        public readonly ReadOnlySpan<float> Weights = weights;
        public readonly ReadOnlySpan<float> Bias = bias;
        public readonly int Stride = stride;
        public readonly TileGeometry Geometry = geometry;
        public readonly Epilogue Epilogue = epilogue;
    }

    private static void ForBlock<TV, TOps, TVectors>(int block, in ConvolutionCall call)
        where TV : struct where TOps : struct, IVectorOps<TV> where TVectors : struct, ICount
    {
        switch (block)
        {
            case 1: ForEpilogue<TV, TOps, One, TVectors>(call); break;
            case 2: ForEpilogue<TV, TOps, Two, TVectors>(call); break;
            case 3: ForEpilogue<TV, TOps, Three, TVectors>(call); break;
            default: ForEpilogue<TV, TOps, Four, TVectors>(call); break;
        }
    }

    private static void ForEpilogue<TV, TOps, TPixels, TVectors>(in ConvolutionCall call)
        where TV : struct
        where TOps : struct, IVectorOps<TV>
        where TPixels : struct, ICount
        where TVectors : struct, ICount
    {
        var epilogue = call.Epilogue;
        switch ((epilogue.ReluFirst, epilogue.Scale is not null, epilogue.ReluLast))
        {
            case (false, false, false): Convolve<TV, TOps, TPixels, TVectors, No, No, No>(call); break;
            case (true, false, false): Convolve<TV, TOps, TPixels, TVectors, Yes, No, No>(call); break;
            case (false, true, false): Convolve<TV, TOps, TPixels, TVectors, No, Yes, No>(call); break;
            case (true, true, false): Convolve<TV, TOps, TPixels, TVectors, Yes, Yes, No>(call); break;
            case (false, false, true): Convolve<TV, TOps, TPixels, TVectors, No, No, Yes>(call); break;
            case (true, false, true): Convolve<TV, TOps, TPixels, TVectors, Yes, No, Yes>(call); break;
            case (false, true, true): Convolve<TV, TOps, TPixels, TVectors, No, Yes, Yes>(call); break;
            case (true, true, true): Convolve<TV, TOps, TPixels, TVectors, Yes, Yes, Yes>(call); break;
        }
    }

    /// <summary>Output rows, blocks of <typeparamref name="TPixels"/> pixels (then single pixels), groups of
    /// <typeparamref name="TVectors"/> vectors of channels.</summary>
    private static void Convolve<TV, TOps, TPixels, TVectors, TReluFirst, TAffine, TReluLast>(in ConvolutionCall call)
        where TV : struct
        where TOps : struct, IVectorOps<TV>
        where TPixels : struct, ICount
        where TVectors : struct, ICount
        where TReluFirst : struct, IFlag
        where TAffine : struct, IFlag
        where TReluLast : struct, IFlag
    {
        ref float input = ref MemoryMarshal.GetReference(call.Input);
        ref float output = ref MemoryMarshal.GetReference(call.Output);
        ref float weights = ref MemoryMarshal.GetReference(call.Weights);
        ref float bias = ref MemoryMarshal.GetReference(call.Bias);
        var geometry = call.Geometry;
        ref float scale = ref TAffine.Value ? ref Lanes.Data(call.Epilogue.Scale!) : ref bias;
        ref float shift = ref TAffine.Value ? ref Lanes.Data(call.Epilogue.Shift!) : ref bias;
        var outputLayout = call.OutputLayout;
        var block = TPixels.Value;
        nint group = TVectors.Value * TOps.Count;
        nint stride = call.Stride;
        nint inputRow = geometry.InputRow;
        var paddedOut = geometry.PaddedOut;
        for (var y = 0; y < outputLayout.Height; y++)
        {
            var x = 0;
            for (; x + block <= outputLayout.Width; x += block)
            {
                ref float source = ref At(ref input, y * stride * inputRow + x * geometry.PixelStep);
                ref float target = ref At(ref output, outputLayout.Pixel(y, x));
                for (nint oc = 0; oc < paddedOut; oc += group)
                    ConvolutionTiles.Tile<TV, TOps, TPixels, TVectors, TReluFirst, TAffine, TReluLast>(ref source, ref At(ref weights, oc),
                        ref At(ref bias, oc), ref At(ref target, oc), oc, geometry, ref scale, ref shift);
            }
            for (; x < outputLayout.Width; x++)
            {
                ref float source = ref At(ref input, y * stride * inputRow + x * geometry.PixelStep);
                ref float target = ref At(ref output, outputLayout.Pixel(y, x));
                for (nint oc = 0; oc < paddedOut; oc += group)
                    ConvolutionTiles.Tile<TV, TOps, One, TVectors, TReluFirst, TAffine, TReluLast>(ref source, ref At(ref weights, oc),
                        ref At(ref bias, oc), ref At(ref target, oc), oc, geometry, ref scale, ref shift);
            }
        }
    }

    /// <summary>Max or average pooling, <paramref name="kernel"/>×<paramref name="kernel"/> windows every
    /// <paramref name="stride"/> pixels, no padding.</summary>
    public static void Pool(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output, ActivationLayout outputLayout,
        bool max, int kernel, int stride, Epilogue epilogue)
    {
        const string Name = nameof(Pool);
        if (kernel < 1 || stride < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"{Name}: kernel {kernel} and stride {stride} must be 1 or more.");
        CheckSameChannels(Name, inputLayout, outputLayout);
        CheckWindow(Name, inputLayout, outputLayout, kernel, stride, 0);
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        epilogue.Check(outputLayout.Channels, Name);
        ref float first = ref MemoryMarshal.GetReference(input);
        ref float result = ref MemoryMarshal.GetReference(output);
        var window = new PoolWindow(max, kernel, (nint)inputLayout.PaddedWidth * inputLayout.Channels, outputLayout.Channels);
        var wide = InferenceWidth.Bits;
        for (var y = 0; y < outputLayout.Height; y++)
            for (var x = 0; x < outputLayout.Width; x++)
            {
                ref float source = ref At(ref first, inputLayout.Pixel(y * stride, x * stride));
                ref float target = ref At(ref result, outputLayout.Pixel(y, x));
                // The pixel's channels in the widest vectors that fit, then narrower ones, then one by one.
                nint c = 0;
                if (wide >= 512) c = Pool<Vector512<float>, Vec512>(ref source, ref target, c, window, epilogue);
                if (wide >= 256) c = Pool<Vector256<float>, Vec256>(ref source, ref target, c, window, epilogue);
                if (wide >= 128) c = Pool<Vector128<float>, Vec128>(ref source, ref target, c, window, epilogue);
                Pool<float, VecScalar>(ref source, ref target, c, window, epilogue);
            }
    }

    private readonly record struct PoolWindow(bool Max, int Kernel, nint InputRow, int Channels);

    /// <summary>One window's channels from <paramref name="c"/> on, in whole vectors; returns the first channel left.</summary>
    private static nint Pool<TV, TOps>(ref float source, ref float target, nint c, in PoolWindow window, in Epilogue epilogue)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var area = TOps.Broadcast((float)window.Kernel * window.Kernel);
        for (; c + TOps.Count <= window.Channels; c += TOps.Count)
        {
            var value = window.Max ? Load<TV, TOps>(ref source, c) : TOps.Zero;
            for (var ky = 0; ky < window.Kernel; ky++)
                for (var kx = 0; kx < window.Kernel; kx++)
                {
                    var read = Load<TV, TOps>(ref source, ky * window.InputRow + kx * window.Channels + c);
                    value = window.Max ? TOps.Max(value, read) : TOps.Add(value, read);
                }
            if (!window.Max) value = TOps.Divide(value, area);
            Store<TV, TOps>(ref target, c, Apply<TV, TOps>(epilogue, value, c));
        }
        return c;
    }

    /// <summary>The mean of each channel over the whole map, into a 1×1 map.</summary>
    public static void GlobalAveragePool(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output, ActivationLayout outputLayout,
        Epilogue epilogue)
    {
        const string Name = nameof(GlobalAveragePool);
        CheckSameChannels(Name, inputLayout, outputLayout);
        if (outputLayout.Height != 1 || outputLayout.Width != 1)
            throw new ArgumentException($"{Name}: the output is {outputLayout}; global average pooling gives a 1×1 map.", nameof(outputLayout));
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        epilogue.Check(outputLayout.Channels, Name);
        ref float first = ref MemoryMarshal.GetReference(input);
        ref float target = ref At(ref MemoryMarshal.GetReference(output), outputLayout.Pixel(0, 0));
        var wide = InferenceWidth.Bits;
        nint c = 0;
        if (wide >= 512) c = GlobalAveragePool<Vector512<float>, Vec512>(ref first, inputLayout, ref target, c, epilogue);
        if (wide >= 256) c = GlobalAveragePool<Vector256<float>, Vec256>(ref first, inputLayout, ref target, c, epilogue);
        if (wide >= 128) c = GlobalAveragePool<Vector128<float>, Vec128>(ref first, inputLayout, ref target, c, epilogue);
        GlobalAveragePool<float, VecScalar>(ref first, inputLayout, ref target, c, epilogue);
    }

    private static nint GlobalAveragePool<TV, TOps>(ref float first, in ActivationLayout layout, ref float target, nint c, in Epilogue epilogue)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var area = TOps.Broadcast((float)layout.Height * layout.Width);
        for (; c + TOps.Count <= layout.Channels; c += TOps.Count)
        {
            var sum = TOps.Zero;
            for (var y = 0; y < layout.Height; y++)
                for (var x = 0; x < layout.Width; x++)
                    sum = TOps.Add(sum, Load<TV, TOps>(ref first, layout.Pixel(y, x) + c));
            Store<TV, TOps>(ref target, c, Apply<TV, TOps>(epilogue, TOps.Divide(sum, area), c));
        }
        return c;
    }

    /// <summary>A map to a vector in PyTorch's [C, H, W] order (the map is channels-last, so this permutes); the
    /// epilogue's channel is the vector's index.</summary>
    public static void Flatten(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output, ActivationLayout outputLayout,
        Epilogue epilogue)
    {
        const string Name = nameof(Flatten);
        if (outputLayout.Height != 1 || outputLayout.Width != 1
            || outputLayout.Channels != (long)inputLayout.Channels * inputLayout.Height * inputLayout.Width)
            throw new ArgumentException(
                $"{Name}: the output is {outputLayout}; flattening {inputLayout} gives " +
                $"[{(long)inputLayout.Channels * inputLayout.Height * inputLayout.Width}, 1, 1].", nameof(outputLayout));
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        epilogue.Check(outputLayout.Channels, Name);
        ref float first = ref MemoryMarshal.GetReference(input);
        ref float target = ref At(ref MemoryMarshal.GetReference(output), outputLayout.Pixel(0, 0));
        nint f = 0;
        for (var c = 0; c < inputLayout.Channels; c++)
            for (var y = 0; y < inputLayout.Height; y++)
                for (var x = 0; x < inputLayout.Width; x++, f++)
                    At(ref target, f) = Apply(epilogue, At(ref first, inputLayout.Pixel(y, x) + c), f);
    }

    /// <summary>The caller's image, [C, H, W], into a channels-last map (inside its border).</summary>
    public static void Image(ReadOnlySpan<float> image, Span<float> output, ActivationLayout outputLayout, Epilogue epilogue)
    {
        const string Name = nameof(Image);
        var length = (long)outputLayout.Channels * outputLayout.Height * outputLayout.Width;
        if (image.Length < length)
            throw new ArgumentException($"{Name}: the image has {image.Length} floats; {outputLayout} needs {length}.", nameof(image));
        if (output.Length < outputLayout.Length)
            throw new ArgumentException($"{Name}: the output has {output.Length} floats; {outputLayout} needs {outputLayout.Length}.",
                nameof(output));
        epilogue.Check(outputLayout.Channels, Name);
        ref float source = ref MemoryMarshal.GetReference(image);
        ref float target = ref MemoryMarshal.GetReference(output);
        nint i = 0;
        for (var c = 0; c < outputLayout.Channels; c++)
            for (var y = 0; y < outputLayout.Height; y++)
                for (var x = 0; x < outputLayout.Width; x++, i++)
                    At(ref target, outputLayout.Pixel(y, x) + c) = Apply(epilogue, At(ref source, i), c);
    }

    /// <summary>log_softmax over each pixel's channels, in place.</summary>
    public static void LogSoftmax(Span<float> activation, ActivationLayout layout, Epilogue epilogue)
    {
        const string Name = nameof(LogSoftmax);
        CheckActivation(Name, activation.Length, layout, epilogue);
        ref float first = ref MemoryMarshal.GetReference(activation);
        var channels = layout.Channels;
        for (var y = 0; y < layout.Height; y++)
            for (var x = 0; x < layout.Width; x++)
            {
                ref float pixel = ref At(ref first, layout.Pixel(y, x));
                var max = pixel;
                for (nint c = 1; c < channels; c++) max = MathF.Max(max, At(ref pixel, c));
                var sum = 0f;
                for (nint c = 0; c < channels; c++) sum += MathF.Exp(At(ref pixel, c) - max);
                var log = MathF.Log(sum);
                for (nint c = 0; c < channels; c++) At(ref pixel, c) = Apply(epilogue, At(ref pixel, c) - max - log, c);
            }
    }

    /// <summary>
    /// LeakyReLU on every value of an activation, in place: x where x &gt; 0, else <paramref name="negativeSlope"/> · x
    /// (the slope rounded to float, as PyTorch's float32 kernel takes it); then the epilogue. The border stays zero.
    /// </summary>
    public static void LeakyRelu(Span<float> activation, ActivationLayout layout, double negativeSlope, Epilogue epilogue) =>
        MapInPlace(nameof(LeakyRelu), activation, layout, new LeakyReluLanes((float)negativeSlope), epilogue);

    private readonly struct LeakyReluLanes(float slope) : ILaneFunction
    {
        public TV Of<TV, TOps>(TV x) where TV : struct where TOps : struct, IVectorOps<TV> =>
            TOps.Select(TOps.GreaterThan(x, TOps.Zero), x, TOps.Multiply(x, TOps.Broadcast(slope)));
    }

    /// <summary>
    /// An elementwise activation's in-place stage: <paramref name="function"/> on every value of the activation (its
    /// border stays as it is), at the inference width and then in single lanes; then the epilogue.
    /// </summary>
    internal static void MapInPlace<TFunction>(string kernelName, Span<float> activation, ActivationLayout layout, TFunction function,
        Epilogue epilogue) where TFunction : struct, ILaneFunction
    {
        CheckActivation(kernelName, activation.Length, layout, epilogue);
        var row = layout.Width * layout.Channels;
        ref float first = ref MemoryMarshal.GetReference(activation);
        var wide = InferenceWidth.Bits;
        for (var y = 0; y < layout.Height; y++)
        {
            ref float values = ref At(ref first, layout.Pixel(y, 0));
            var i = 0;
            if (wide >= 512) i = Map<Vector512<float>, Vec512, TFunction>(ref values, i, row, function);
            if (wide >= 256) i = Map<Vector256<float>, Vec256, TFunction>(ref values, i, row, function);
            if (wide >= 128) i = Map<Vector128<float>, Vec128, TFunction>(ref values, i, row, function);
            Map<float, VecScalar, TFunction>(ref values, i, row, function);
        }
        if (epilogue.ReluFirst || epilogue.Scale is not null || epilogue.ReluLast) ApplyEpilogue(activation, layout, epilogue);
    }

    private static int Map<TV, TOps, TFunction>(ref float values, int i, int count, TFunction function)
        where TV : struct where TOps : struct, IVectorOps<TV> where TFunction : struct, ILaneFunction
    {
        for (; i + TOps.Count <= count; i += TOps.Count) Store<TV, TOps>(ref values, i, function.Of<TV, TOps>(Load<TV, TOps>(ref values, i)));
        return i;
    }

    /// <summary>An epilogue on every value of an activation (not its border), in place: for chains longer than one fused epilogue takes.</summary>
    public static void ApplyEpilogue(Span<float> activation, ActivationLayout layout, Epilogue epilogue)
    {
        const string Name = nameof(ApplyEpilogue);
        CheckActivation(Name, activation.Length, layout, epilogue);
        ref float first = ref MemoryMarshal.GetReference(activation);
        for (var y = 0; y < layout.Height; y++)
            for (var x = 0; x < layout.Width; x++)
            {
                ref float pixel = ref At(ref first, layout.Pixel(y, x));
                for (nint c = 0; c < layout.Channels; c++) At(ref pixel, c) = Apply(epilogue, At(ref pixel, c), c);
            }
    }

    private static void CheckWindow(string kernelName, ActivationLayout input, ActivationLayout output, int kernel, int stride, int padding)
    {
        long height = input.Height + 2L * padding - kernel, width = input.Width + 2L * padding - kernel;
        if (height < 0 || width < 0 || height / stride + 1 != output.Height || width / stride + 1 != output.Width)
            throw new ArgumentException(
                $"{kernelName}: a {kernel}×{kernel} window every {stride} pixel(s) with padding {padding} over {input} does not give {output}.",
                nameof(output));
    }

    /// <summary>Throws unless an activation updated in place holds <paramref name="layout"/> and the epilogue covers its channels.</summary>
    private static void CheckActivation(string kernelName, int length, ActivationLayout layout, in Epilogue epilogue)
    {
        if (length < layout.Length)
            throw new ArgumentException($"{kernelName}: the activation has {length} floats; {layout} needs {layout.Length}.", "activation");
        epilogue.Check(layout.Channels, kernelName);
    }

    private static void CheckSameChannels(string kernelName, ActivationLayout input, ActivationLayout output)
    {
        if (input.Channels != output.Channels)
            throw new ArgumentException($"{kernelName}: the input has {input.Channels} channels, the output {output.Channels}; they must be equal.",
                nameof(output));
    }

    private static void CheckLengths(string kernelName, int inputLength, ActivationLayout input, int outputLength, ActivationLayout output)
    {
        if (inputLength < input.Length)
            throw new ArgumentException($"{kernelName}: the input has {inputLength} floats; {input} needs {input.Length}.", nameof(input));
        if (outputLength < output.Length)
            throw new ArgumentException($"{kernelName}: the output has {outputLength} floats; {output} needs {output.Length}.", nameof(output));
    }
}
#endif
