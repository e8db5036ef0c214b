namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Every size and offset of one convolution's buffers in wide coordinates (see <see cref="WideConvolution{TV,TOps}"/>),
/// for a vector width. Wp is the padded input's row stride and also the stride of the output rows and of the
/// gradient rows, so that a tap is a constant offset everywhere. <see cref="Groups"/> splits the channels into
/// independent convolutions (PyTorch's groups): group g maps input channels [g·Cin/G, (g+1)·Cin/G) to output channels
/// [g·Cout/G, (g+1)·Cout/G), its weights the contiguous [Cout/G][Cin/G][k][k] block of [Cout][Cin/G][k][k].
/// </summary>
internal sealed record Conv2dGeometry(
    int InChannels, int OutChannels, int Height, int Width, int Kernel, int Stride, int Padding, bool Bias, int VectorWidth)
{
    /// <summary>Floats a kernel may read past the end of an input image; every input buffer carries this much zeroed slack.</summary>
    public const int Slack = 256;

    /// <summary>Channel groups; 1 (an ordinary convolution) unless set.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>Input channels each output channel sees.</summary>
    public int GroupInChannels => InChannels / Groups;

    public int GroupOutChannels => OutChannels / Groups;

    /// <summary>Weights of one group: [Cout/G][Cin/G][k][k].</summary>
    public int GroupWeightCount => GroupOutChannels * GroupInChannels * Taps;

    public int PaddedHeight => Height + 2 * Padding;

    public int PaddedWidth => Width + 2 * Padding;

    public int OutHeight => (PaddedHeight - Kernel) / Stride + 1;

    public int OutWidth => (PaddedWidth - Kernel) / Stride + 1;

    public int Taps => Kernel * Kernel;

    public int InputSize => InChannels * Height * Width;

    public int OutputSize => OutChannels * OutHeight * OutWidth;

    public int WeightCount => OutChannels * GroupInChannels * Taps;

    public long MultiplyAdds => (long)OutputSize * GroupInChannels * Taps;

    /// <summary>Stride between input channels as the kernel reads them: the compact image when unpadded, else the padded copy.</summary>
    public int InputPlane => Padding == 0 ? Height * Width : PaddedHeight * PaddedWidth;

    /// <summary>Output positions computed per channel: Ho rows of Wp (stride 1), rounded up to whole vectors.</summary>
    public int OutputPositions => RoundUp(OutHeight * PaddedWidth);

    /// <summary>Zeros in front of each gradient channel so that backward-data reads at p - (ky Wp + kx) stay in the channel.</summary>
    public int GradientFront => RoundUp((Kernel - 1) * PaddedWidth + Kernel - 1);

    /// <summary>Stride between channels of the padded-wide output gradient.</summary>
    public int GradientPlane => GradientFront + RoundUp(PaddedHeight * PaddedWidth) + VectorWidth;

    /// <summary>Input-gradient positions computed per channel (the whole padded plane, rounded up).</summary>
    public int InputGradientPositions => RoundUp(PaddedHeight * PaddedWidth);

    public bool IsWide => Stride == 1;

    public int RoundUp(int n) => (n + VectorWidth - 1) / VectorWidth * VectorWidth;

    public int RoundDown(int n) => n / VectorWidth * VectorWidth;

    /// <summary>Forward / weight-gradient columns: (ci, ky, kx) to ci * plane + ky * Wp + kx, ci within a group.</summary>
    public int[] ForwardColumns()
    {
        var columns = new int[GroupInChannels * Taps];
        for (int ci = 0; ci < GroupInChannels; ci++)
            for (int ky = 0; ky < Kernel; ky++)
                for (int kx = 0; kx < Kernel; kx++)
                    columns[(ci * Kernel + ky) * Kernel + kx] = ci * InputPlane + ky * PaddedWidth + kx;
        return columns;
    }

    /// <summary>Backward-data columns: (co, ky, kx) to co * gradient plane + front - ky * Wp - kx (the flipped kernel), co within a group.</summary>
    public int[] BackwardDataColumns()
    {
        var columns = new int[GroupOutChannels * Taps];
        for (int co = 0; co < GroupOutChannels; co++)
            for (int ky = 0; ky < Kernel; ky++)
                for (int kx = 0; kx < Kernel; kx++)
                    columns[(co * Kernel + ky) * Kernel + kx] = co * GradientPlane + GradientFront - ky * PaddedWidth - kx;
        return columns;
    }

    /// <summary>Throws unless the layer fits the engine: positive sizes, an output at least one pixel wide, groups that
    /// divide both channel counts.</summary>
    public void Validate()
    {
        if (InChannels < 1 || OutChannels < 1 || Kernel < 1 || Stride < 1 || Padding < 0 || OutHeight < 1 || OutWidth < 1)
            throw new ArgumentException($"Conv2d {InChannels}->{OutChannels} k{Kernel} s{Stride} p{Padding} on {Height}x{Width} has no output");
        if (Groups < 1 || InChannels % Groups != 0 || OutChannels % Groups != 0)
            throw new ArgumentException($"Conv2d {InChannels}->{OutChannels} has groups {Groups}, which must divide both channel counts");
    }
}
