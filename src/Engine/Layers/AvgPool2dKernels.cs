namespace Mnist.Dsl.Engine.Layers;

/// <summary>AvgPool2d (kernel k, stride s, no padding) and global average pooling, for one image [C][H][W].</summary>
internal static unsafe class AvgPool2dKernels
{
    public static void Forward(float* x, int channels, int height, int width, int kernel, int stride, float* y)
    {
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1;
        float inv = 1f / (kernel * kernel);
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    float* window = x + (c * height + oy * stride) * width + ox * stride;
                    float sum = 0;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++) sum += window[ky * width + kx];
                    y[(c * ho + oy) * wo + ox] = sum * inv;
                }
    }

    public static void Backward(float* dy, int channels, int height, int width, int kernel, int stride, float* dx)
    {
        int ho = (height - kernel) / stride + 1, wo = (width - kernel) / stride + 1;
        float inv = 1f / (kernel * kernel);
        new System.Span<float>(dx, channels * height * width).Clear();
        for (int c = 0; c < channels; c++)
            for (int oy = 0; oy < ho; oy++)
                for (int ox = 0; ox < wo; ox++)
                {
                    float g = dy[(c * ho + oy) * wo + ox] * inv;
                    float* window = dx + (c * height + oy * stride) * width + ox * stride;
                    for (int ky = 0; ky < kernel; ky++)
                        for (int kx = 0; kx < kernel; kx++) window[ky * width + kx] += g;
                }
    }

    /// <summary>GlobalAvgPool2d: y[c] = mean of x[c, :, :]; Flatten after it is free (the result is already [C]).</summary>
    public static void GlobalForward(float* x, int channels, int plane, float* y)
    {
        for (int c = 0; c < channels; c++)
        {
            float sum = 0;
            for (int i = 0; i < plane; i++) sum += x[c * plane + i];
            y[c] = sum / plane;
        }
    }

    /// <summary>dx[c, i] = dy[c] / plane, written with row stride (dxPlane, dxRow) like BatchNorm's input gradient.</summary>
    public static void GlobalBackward(float* dy, int channels, int height, int width, float* dx, int dxPlane, int dxRow)
    {
        for (int c = 0; c < channels; c++)
        {
            float g = dy[c] / (height * width);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++) dx[c * dxPlane + y * dxRow + x] = g;
        }
    }
}
