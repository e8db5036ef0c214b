namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// A unit over one [C][H][W] map per image (BatchNorm2d, the pools, global average pooling): the map's sizes its kernels
/// take, and output and gradient buffers of its own, <c>outputSize</c> floats per image.
/// </summary>
internal abstract unsafe class MapUnit : TrainUnit
{
    protected MapUnit(int channels, int height, int width, int outputSize, int batch, NativeArena arena)
    {
        Channels = channels;
        Height = height;
        Width = width;
        InputSize = channels * height * width;
        OutputSize = outputSize;
        Output = arena.Floats((long)batch * outputSize + Conv2dGeometry.Slack);
        OutputGradient = arena.Floats((long)batch * outputSize + Conv2dGeometry.Slack);
    }

    protected int Channels { get; }

    protected int Height { get; }

    protected int Width { get; }

    /// <summary>Pixels per channel.</summary>
    protected int Plane => Height * Width;
}
