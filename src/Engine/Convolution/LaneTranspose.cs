namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Between compact per-image rows and the interleaved layout of <see cref="ImageLaneKernels{TV,TOps}"/> (float i of image k
/// at i * lanes + k). Plain scalar moves: a few hundred to a few thousand floats an image, against the products' tens of
/// thousands of multiply-adds.
/// </summary>
internal static unsafe class LaneTranspose
{
    /// <summary><paramref name="length"/> floats of each of <paramref name="count"/> images (image k at
    /// <paramref name="source"/> + k * <paramref name="imageStride"/>) into lanes 0..count - 1 of <paramref name="target"/>.</summary>
    public static void Together(float* source, int imageStride, int count, int length, float* target, int lanes)
    {
        for (int k = 0; k < count; k++)
        {
            float* from = source + (long)k * imageStride, to = target + k;
            for (int i = 0; i < length; i++) to[i * lanes] = from[i];
        }
    }

    /// <summary>Lanes 0..count - 1 of <paramref name="length"/> interleaved floats back to each image's row (image k at
    /// <paramref name="target"/> + k * <paramref name="imageStride"/>).</summary>
    public static void Apart(float* source, int lanes, int count, int length, float* target, int imageStride)
    {
        for (int k = 0; k < count; k++)
        {
            float* from = source + k, to = target + (long)k * imageStride;
            for (int i = 0; i < length; i++) to[i] = from[i * lanes];
        }
    }
}
