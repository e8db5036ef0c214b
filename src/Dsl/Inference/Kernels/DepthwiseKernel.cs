#if NET8_0_OR_GREATER
using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Simd;
using static Mnist.Dsl.Inference.Lanes;

namespace Mnist.Dsl.Inference;

public static partial class InferenceKernels
{
    /// <summary>
    /// A depthwise convolution (groups = in = out channels: one k×k filter per channel). Channels-last makes it
    /// elementwise: per output pixel and tap, eight channels' inputs times eight channels' weights, no broadcast and no
    /// reduction. The input's border is the padding. <paramref name="weights"/> are [ky][kx][channels padded to a
    /// multiple of 8] (<see cref="KernelLayout.DepthwiseWeights"/>), <paramref name="bias"/> the padded bias.
    /// </summary>
    public static void DepthwiseConvolution(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output,
        ActivationLayout outputLayout,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int kernel, int stride, Epilogue epilogue)
    {
        const string Name = nameof(DepthwiseConvolution);
        if (kernel < 1 || stride < 1)
            throw new ArgumentOutOfRangeException(nameof(kernel), $"{Name}: kernel {kernel} and stride {stride} must be 1 or more.");
        CheckSameChannels(Name, inputLayout, outputLayout);
        CheckWindow(Name, inputLayout, outputLayout, kernel, stride, inputLayout.Pad);
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        var channels = outputLayout.Channels;
        var padded = (channels + 7) / 8 * 8;
        if (weights.Length != (long)kernel * kernel * padded)
            throw new ArgumentException(
                $"{Name}: {weights.Length} weights; a depthwise {kernel}×{kernel} kernel over {channels} channels (padded to {padded}) needs " +
                $"{(long)kernel * kernel * padded}.", nameof(weights));
        if (bias.Length < padded)
            throw new ArgumentException($"{Name}: {bias.Length} biases; {channels} channels need {padded} (padded to whole 8-wide vectors).",
                nameof(bias));
        epilogue.Check(channels, Name);

        ref float first = ref MemoryMarshal.GetReference(input);
        ref float result = ref MemoryMarshal.GetReference(output);
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float b = ref MemoryMarshal.GetReference(bias);
        var window = new DepthwiseWindow(kernel, (nint)inputLayout.PaddedWidth * channels, channels, padded);
        var wide = InferenceWidth.Bits;
        for (var y = 0; y < outputLayout.Height; y++)
            for (var x = 0; x < outputLayout.Width; x++)
            {
                // The window's top-left pixel in padded coordinates: the border is the padding.
                ref float source = ref At(ref first, y * stride * window.InputRow + (nint)x * stride * channels);
                ref float target = ref At(ref result, outputLayout.Pixel(y, x));
                nint c = 0;
                if (wide >= 512) c = Depthwise<Vector512<float>, Vec512>(ref source, ref w, ref b, ref target, c, window, epilogue);
                if (wide >= 256) c = Depthwise<Vector256<float>, Vec256>(ref source, ref w, ref b, ref target, c, window, epilogue);
                if (wide >= 128) c = Depthwise<Vector128<float>, Vec128>(ref source, ref w, ref b, ref target, c, window, epilogue);
                Depthwise<float, VecScalar>(ref source, ref w, ref b, ref target, c, window, epilogue);
            }
    }

    private readonly record struct DepthwiseWindow(int Kernel, nint InputRow, int Channels, int Padded);

    /// <summary>One output pixel's channels from <paramref name="c"/> on, in whole vectors; returns the first channel left.</summary>
    private static nint Depthwise<TV, TOps>(ref float source, ref float weights, ref float bias, ref float target, nint c, in DepthwiseWindow window,
        in Epilogue epilogue) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        for (; c + TOps.Count <= window.Channels; c += TOps.Count)
        {
            var sum = Load<TV, TOps>(ref bias, c);
            for (var ky = 0; ky < window.Kernel; ky++)
                for (var kx = 0; kx < window.Kernel; kx++)
                    sum = TOps.FusedMulAdd(Load<TV, TOps>(ref source, ky * window.InputRow + (nint)kx * window.Channels + c),
                        Load<TV, TOps>(ref weights, (nint)(ky * window.Kernel + kx) * window.Padded + c), sum);
            Store<TV, TOps>(ref target, c, Apply<TV, TOps>(epilogue, sum, c));
        }
        return c;
    }
}
#endif
