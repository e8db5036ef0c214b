#if NET8_0_OR_GREATER
using System;
using System.Runtime.InteropServices;
using static Mnist.Dsl.Inference.Lanes;
using V = System.Runtime.Intrinsics.Vector256<float>;

namespace Mnist.Dsl.Inference;

public static partial class InferenceKernels
{
    /// <summary>
    /// A depthwise convolution (groups = in = out channels: one k×k filter per channel). Channels-last makes it
    /// elementwise: per output pixel and tap, eight channels' inputs times eight channels' weights, no broadcast and no
    /// reduction. The input's border is the padding. <paramref name="weights"/> are [ky][kx][channels padded to a
    /// multiple of 8] (<see cref="KernelLayout.DepthwiseWeights"/>), <paramref name="bias"/> the padded bias.
    /// </summary>
    public static void DepthwiseConvolution(ReadOnlySpan<float> input, ActivationLayout inputLayout, Span<float> output, ActivationLayout outputLayout,
        ReadOnlySpan<float> weights, ReadOnlySpan<float> bias, int kernel, int stride, Epilogue epilogue)
    {
        const string Name = nameof(DepthwiseConvolution);
        if (kernel < 1 || stride < 1) throw new ArgumentOutOfRangeException(nameof(kernel), $"{Name}: kernel {kernel} and stride {stride} must be 1 or more.");
        CheckSameChannels(Name, inputLayout, outputLayout);
        CheckWindow(Name, inputLayout, outputLayout, kernel, stride, inputLayout.Pad);
        CheckLengths(Name, input.Length, inputLayout, output.Length, outputLayout);
        var channels = outputLayout.Channels;
        var padded = (channels + 7) / 8 * 8;
        if (weights.Length != (long)kernel * kernel * padded)
            throw new ArgumentException($"{Name}: {weights.Length} weights; a depthwise {kernel}×{kernel} kernel over {channels} channels (padded to {padded}) needs {(long)kernel * kernel * padded}.", nameof(weights));
        if (bias.Length < padded) throw new ArgumentException($"{Name}: {bias.Length} biases; {channels} channels need {padded} (padded to whole 8-wide vectors).", nameof(bias));
        epilogue.Check(channels, Name);

        ref float first = ref MemoryMarshal.GetReference(input);
        ref float result = ref MemoryMarshal.GetReference(output);
        ref float w = ref MemoryMarshal.GetReference(weights);
        ref float b = ref MemoryMarshal.GetReference(bias);
        nint row = (nint)inputLayout.PaddedWidth * channels;
        for (var y = 0; y < outputLayout.Height; y++)
            for (var x = 0; x < outputLayout.Width; x++)
            {
                // The window's top-left pixel in padded coordinates: the border is the padding.
                ref float source = ref At(ref first, y * stride * row + (nint)x * stride * channels);
                ref float target = ref At(ref result, outputLayout.Pixel(y, x));
                nint c = 0;
                for (; c <= channels - 8; c += 8)
                {
                    var sum = Load(ref b, c);
                    for (var ky = 0; ky < kernel; ky++)
                        for (var kx = 0; kx < kernel; kx++)
                            sum = Mad(Load(ref source, ky * row + (nint)kx * channels + c), Load(ref w, (nint)(ky * kernel + kx) * padded + c), sum);
                    Store(ref target, c, Apply(epilogue, sum, c));
                }
                for (; c < channels; c++)
                {
                    var sum = At(ref b, c);
                    for (var ky = 0; ky < kernel; ky++)
                        for (var kx = 0; kx < kernel; kx++)
                            sum = Mad(At(ref source, ky * row + (nint)kx * channels + c), At(ref w, (nint)(ky * kernel + kx) * padded + c), sum);
                    At(ref target, c) = Apply(epilogue, sum, c);
                }
            }
    }
}
#endif
