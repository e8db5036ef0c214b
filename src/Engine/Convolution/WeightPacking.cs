namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Lays weights out in the order <see cref="WideConvolution{TV,TOps}.Forward"/> reads them: blocks of four output
/// channels interleaved per column ([block][j][4]), then the remaining channels one after another. Repacked after
/// every optimizer step (a few thousand floats), so the kernel's broadcasts walk memory in order.
/// </summary>
internal static unsafe class WeightPacking
{
    /// <summary>PyTorch layout [co][ci][ky][kx] (depth = ci * k * k) to the forward kernel's layout.</summary>
    public static void PackForward(float* weight, int outChannels, int depth, float* packed)
    {
        int co = 0;
        for (; co + 4 <= outChannels; co += 4)
            for (int j = 0; j < depth; j++)
                for (int c = 0; c < 4; c++) *packed++ = weight[(co + c) * depth + j];
        for (; co < outChannels; co++)
            for (int j = 0; j < depth; j++) *packed++ = weight[co * depth + j];
    }

    /// <summary>
    /// For the backward-data pass, a convolution whose output channels are the forward's input channels and whose
    /// columns are (forward output channel, tap): w'[ci][(co, t)] = w[co][ci][t]. The taps are not flipped here: the
    /// column offsets run backwards instead (see <see cref="Conv2dGeometry"/>).
    /// </summary>
    public static void PackBackwardData(float* weight, int outChannels, int inChannels, int taps, float* packed)
    {
        int ci = 0;
        for (; ci + 4 <= inChannels; ci += 4)
            for (int co = 0; co < outChannels; co++)
                for (int t = 0; t < taps; t++)
                    for (int c = 0; c < 4; c++) *packed++ = weight[(co * inChannels + ci + c) * taps + t];
        for (; ci < inChannels; ci++)
            for (int co = 0; co < outChannels; co++)
                for (int t = 0; t < taps; t++) *packed++ = weight[(co * inChannels + ci) * taps + t];
    }
}
