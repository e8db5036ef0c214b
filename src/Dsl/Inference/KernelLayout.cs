using System;

namespace Mnist.Dsl.Inference;

/// <summary>
/// Rearranges PyTorch's weights into the layout the generated inference kernels read. Activations there are
/// channels-last (one pixel's channels next to each other), and a convolution accumulates all its output
/// channels at once in 8-wide vectors, so its weights go [ky][kx][in][out padded to a multiple of 8]: for
/// one tap and one input channel, the output channels' weights are one contiguous run of vectors. A Linear
/// layer is the 1×1 case. Folded BatchNorm scales are multiplied in here, in double, before rounding to float.
/// </summary>
public static class KernelLayout
{
    /// <summary>
    /// Convolution (or Linear, with <paramref name="kernel"/> 1) weights [out, in, k, k] → [ky][kx][in][outPadded],
    /// each output channel scaled by <paramref name="fold"/> (an affine map applied after the layer; null for none).
    /// </summary>
    public static float[] Weights(float[] weight, int outChannels, int inChannels, int kernel, ChannelAffine? fold, int outPadded)
    {
        if (weight is null) throw new ArgumentNullException(nameof(weight));
        if (weight.Length != (long)outChannels * inChannels * kernel * kernel)
            throw new ArgumentException($"{weight.Length} weights do not fill [{outChannels}, {inChannels}, {kernel}, {kernel}].", nameof(weight));
        if (outPadded < outChannels) throw new ArgumentOutOfRangeException(nameof(outPadded));
        var result = new float[(long)kernel * kernel * inChannels * outPadded];
        for (var o = 0; o < outChannels; o++)
        {
            var scale = fold?.Scale[o] ?? 1.0;
            for (var i = 0; i < inChannels; i++)
                for (var ky = 0; ky < kernel; ky++)
                    for (var kx = 0; kx < kernel; kx++)
                    {
                        var source = ((o * inChannels + i) * kernel + ky) * kernel + kx;
                        var target = ((ky * kernel + kx) * inChannels + i) * outPadded + o;
                        result[target] = (float)(weight[source] * scale);
                    }
        }
        return result;
    }

    /// <summary>The bias after folding: bias·scale + shift (bias 0 when the layer has none), zero-padded to <paramref name="outPadded"/>.</summary>
    public static float[] Bias(float[]? bias, int outChannels, ChannelAffine? fold, int outPadded)
    {
        if (bias is not null && bias.Length != outChannels) throw new ArgumentException($"{bias.Length} biases for {outChannels} channels.", nameof(bias));
        var result = new float[outPadded];
        for (var o = 0; o < outChannels; o++)
        {
            var b = bias is null ? 0.0 : bias[o];
            result[o] = (float)(fold is null ? b : b * fold.Scale[o] + fold.Shift[o]);
        }
        return result;
    }
}
