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
    public static float[] Weights(float[] weight, int outChannels, int inChannels, int kernel, ChannelAffine? fold, int outPadded) =>
        GroupedWeights(weight, outChannels, inChannels, kernel, 1, fold, outPadded);

    /// <summary>
    /// A grouped convolution's weights [out, in / groups, k, k] in the dense layout of <see cref="Weights"/>: output channel
    /// o's weights for the input channels of its group, zeros for the others. The zeros add exactly nothing, so the dense
    /// kernel computes the grouped convolution (at the cost of the zeros' multiply-adds; depthwise convolutions have
    /// their own kernel, <see cref="DepthwiseWeights"/>).
    /// </summary>
    public static float[] GroupedWeights(float[] weight, int outChannels, int inChannels, int kernel, int groups, ChannelAffine? fold, int outPadded)
    {
        if (weight is null) throw new ArgumentNullException(nameof(weight));
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentOutOfRangeException(nameof(groups), $"{groups} groups do not divide both {inChannels} and {outChannels} channels.");
        int groupIn = inChannels / groups, groupOut = outChannels / groups;
        if (weight.Length != (long)outChannels * groupIn * kernel * kernel)
            throw new ArgumentException($"{weight.Length} weights do not fill [{outChannels}, {groupIn}, {kernel}, {kernel}].", nameof(weight));
        if (outPadded < outChannels) throw new ArgumentOutOfRangeException(nameof(outPadded));
        var result = new float[(long)kernel * kernel * inChannels * outPadded];
        for (var o = 0; o < outChannels; o++)
        {
            var scale = fold?.Scale[o] ?? 1.0;
            var first = o / groupOut * groupIn;
            for (var i = 0; i < groupIn; i++)
                for (var ky = 0; ky < kernel; ky++)
                    for (var kx = 0; kx < kernel; kx++)
                    {
                        var source = ((o * groupIn + i) * kernel + ky) * kernel + kx;
                        var target = ((ky * kernel + kx) * inChannels + first + i) * outPadded + o;
                        result[target] = (float)(weight[source] * scale);
                    }
        }
        return result;
    }

    /// <summary>
    /// A depthwise convolution's weights [channels, 1, k, k] → [ky][kx][channels padded to <paramref name="padded"/>] for
    /// InferenceKernels.DepthwiseConvolution: per tap, the channels' weights in one run, as the channels-last pixels are.
    /// </summary>
    public static float[] DepthwiseWeights(float[] weight, int channels, int kernel, ChannelAffine? fold, int padded)
    {
        if (weight is null) throw new ArgumentNullException(nameof(weight));
        if (weight.Length != (long)channels * kernel * kernel)
            throw new ArgumentException($"{weight.Length} weights do not fill [{channels}, 1, {kernel}, {kernel}].", nameof(weight));
        if (padded < channels) throw new ArgumentOutOfRangeException(nameof(padded));
        var result = new float[(long)kernel * kernel * padded];
        for (var c = 0; c < channels; c++)
        {
            var scale = fold?.Scale[c] ?? 1.0;
            for (var t = 0; t < kernel * kernel; t++) result[t * padded + c] = (float)(weight[c * kernel * kernel + t] * scale);
        }
        return result;
    }

    /// <summary>The bias after folding: bias·scale + shift (bias 0 when the layer has none), zero-padded to <paramref name="outPadded"/>.</summary>
    public static float[] Bias(float[]? bias, int outChannels, ChannelAffine? fold, int outPadded)
    {
        if (bias is not null && bias.Length != outChannels)
            throw new ArgumentException($"{bias.Length} biases for {outChannels} channels.", nameof(bias));
        var result = new float[outPadded];
        for (var o = 0; o < outChannels; o++)
        {
            var b = bias is null ? 0.0 : bias[o];
            result[o] = (float)(fold is null ? b : b * fold.Scale[o] + fold.Shift[o]);
        }
        return result;
    }
}
