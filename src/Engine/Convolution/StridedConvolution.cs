namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// Convolutions with stride above 1, in plain loops: the wide trick needs consecutive outputs to read consecutive
/// inputs. Same buffer layouts as the wide path (output rows of stride Wp, padded-wide output gradient), so callers
/// do not care which one ran. None of the sample networks has a strided convolution; correctness over speed. Output
/// channel co reads its group's input channels, weights [Cout][Cin/G][k][k] (G = 1: every channel).
/// </summary>
internal static unsafe class StridedConvolution
{
    public static void Forward(Conv2dGeometry g, float* input, float* weight, float* bias, float* output)
    {
        int k = g.Kernel, s = g.Stride, wp = g.PaddedWidth, groupIn = g.GroupInChannels;
        for (int co = 0; co < g.OutChannels; co++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    float sum = bias == null ? 0 : bias[co];
                    int first = co / g.GroupOutChannels * groupIn;
                    for (int ci = 0; ci < groupIn; ci++)
                    {
                        float* x = input + (first + ci) * g.InputPlane + oy * s * wp + ox * s;
                        float* w = weight + (co * groupIn + ci) * k * k;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++) sum += w[ky * k + kx] * x[ky * wp + kx];
                    }
                    output[co * g.OutputPositions + oy * wp + ox] = sum;
                }
    }

    /// <summary>Weight gradient added; input gradient (padded plane [Cin][Hp][Wp]) overwritten unless null.</summary>
    public static void Backward(Conv2dGeometry g, float* input, float* weight, float* dy, float* weightGradient, float* inputGradient)
    {
        int k = g.Kernel, s = g.Stride, wp = g.PaddedWidth, plane = g.PaddedHeight * wp, groupIn = g.GroupInChannels;
        if (inputGradient != null)
            for (int i = 0; i < g.InChannels * plane; i++) inputGradient[i] = 0;
        for (int co = 0; co < g.OutChannels; co++)
            for (int oy = 0; oy < g.OutHeight; oy++)
                for (int ox = 0; ox < g.OutWidth; ox++)
                {
                    float d = dy[co * g.GradientPlane + g.GradientFront + oy * wp + ox];
                    int first = co / g.GroupOutChannels * groupIn;
                    for (int ci = 0; ci < groupIn; ci++)
                    {
                        int offset = oy * s * wp + ox * s;
                        float* x = input + (first + ci) * g.InputPlane + offset;
                        float* w = weight + (co * groupIn + ci) * k * k;
                        float* gw = weightGradient + (co * groupIn + ci) * k * k;
                        for (int ky = 0; ky < k; ky++)
                            for (int kx = 0; kx < k; kx++)
                            {
                                gw[ky * k + kx] += d * x[ky * wp + kx];
                                if (inputGradient != null) inputGradient[(first + ci) * plane + offset + ky * wp + kx] += d * w[ky * k + kx];
                            }
                    }
                }
    }
}
