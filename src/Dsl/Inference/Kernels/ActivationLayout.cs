#if NET8_0_OR_GREATER
using System;

namespace Mnist.Dsl.Inference;

/// <summary>
/// Where one activation of a generated inference class lies in its scratch memory: channels-last (one pixel's
/// channels next to each other), inside a border of <see cref="Pad"/> zero pixels that the convolution reading
/// it needs, so the kernels' loops have no bounds tests. No kernel ever writes the border. A vector is the
/// 1×1 case.
/// </summary>
public readonly struct ActivationLayout
{
    public ActivationLayout(int channels, int height, int width, int pad)
    {
        if (channels < 1 || height < 1 || width < 1 || pad < 0)
            throw new ArgumentOutOfRangeException(nameof(channels),
                $"An activation needs positive channels, height and width and a border of 0 or more; got [{channels}, {height}, " +
                $"{width}] with border {pad}.");
        Channels = channels;
        Height = height;
        Width = width;
        Pad = pad;
    }

    public int Channels { get; }

    public int Height { get; }

    public int Width { get; }

    public int Pad { get; }

    public int PaddedWidth => Width + 2 * Pad;

    public int PaddedHeight => Height + 2 * Pad;

    /// <summary>Floats the activation takes, border included.</summary>
    public long Length => (long)PaddedHeight * PaddedWidth * Channels;

    /// <summary>The offset of pixel (<paramref name="y"/>, <paramref name="x"/>)'s first channel, inside the border.</summary>
    internal nint Pixel(int y, int x) => ((nint)(y + Pad) * PaddedWidth + x + Pad) * Channels;

    public override string ToString() => $"[{Channels}, {Height}, {Width}] with border {Pad}";
}
#endif
