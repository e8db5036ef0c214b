namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Convolutions with stride above 1, in plain loops: the wide trick needs consecutive outputs to read consecutive
/// inputs. Same buffer layouts as the wide path (output rows of stride Wp, padded-wide output gradient), so callers
/// do not care which one ran. None of the sample networks has a strided convolution; correctness over speed.
/// </summary>
internal static unsafe class StridedConvolution
{
    public static void Forward(Conv2dGeometry g, float* input, float* weight, float* bias, float* output)
    {
        int k = g.Kernel, s = g.Stride, wp = g.PaddedWidth;
        for (int co = 0; co < g.OutChannels; co++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    float sum = bias == null ? 0 : bias[co];
                    for (int ci = 0; ci < g.InChannels; ci++)
                    {
                        float* x = input + ci * g.InputPlane + oy * s * wp + ox * s;
                        float* w = weight + (co * g.InChannels + ci) * k * k;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) sum += w[ky * k + kx] * x[ky * wp + kx];
                    }
                    output[co * g.OutputPositions + oy * wp + ox] = sum;
                }
    }

    /// <summary>Weight gradient added; input gradient (padded plane [Cin][Hp][Wp]) overwritten unless null.</summary>
    public static void Backward(Conv2dGeometry g, float* input, float* weight, float* dy, float* weightGradient, float* inputGradient)
    {
        int k = g.Kernel, s = g.Stride, wp = g.PaddedWidth, plane = g.PaddedHeight * wp;
        if (inputGradient != null)
            for (int i = 0; i < g.InChannels * plane; i++) inputGradient[i] = 0;
        for (int co = 0; co < g.OutChannels; co++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    float d = dy[co * g.GradientPlane + g.GradientFront + oy * wp + ox];
                    for (int ci = 0; ci < g.InChannels; ci++)
                    {
                        int offset = oy * s * wp + ox * s;
                        float* x = input + ci * g.InputPlane + offset;
                        float* w = weight + (co * g.InChannels + ci) * k * k;
                        float* gw = weightGradient + (co * g.InChannels + ci) * k * k;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                            {
                                gw[ky * k + kx] += d * x[ky * wp + kx];
                                if (inputGradient != null) inputGradient[ci * plane + offset + ky * wp + kx] += d * w[ky * k + kx];
                            }
                    }
                }
    }
}
