namespace Mnist.Dsl.Engine.Layers;

/// <summary>Linear for one sample: y = W x + b, W [out][in] as PyTorch stores it. Tiny in these networks; plain loops.</summary>
internal static unsafe class LinearKernels
{
    public static void Forward(float* x, int inFeatures, float* weight, float* bias, int outFeatures, float* y)
    {
        for (int o = 0; o < outFeatures; o++)
        {
            float* w = weight + o * inFeatures;
            float sum = bias == null ? 0 : bias[o];
            for (int i = 0; i < inFeatures; i++) sum += w[i] * x[i];
            y[o] = sum;
        }
    }

    /// <summary>Accumulates dW += dy x^T and db += dy; overwrites dx = W^T dy unless dx is null.</summary>
    public static void Backward(float* x, int inFeatures, float* weight, int outFeatures, float* dy,
        float* weightGradient, float* biasGradient, float* dx)
    {
        if (dx != null)
            for (int i = 0; i < inFeatures; i++) dx[i] = 0;
        for (int o = 0; o < outFeatures; o++)
        {
            float g = dy[o];
            float* w = weight + o * inFeatures, gw = weightGradient + o * inFeatures;
            for (int i = 0; i < inFeatures; i++)
            {
                gw[i] += g * x[i];
                if (dx != null) dx[i] += g * w[i];
            }
            if (biasGradient != null) biasGradient[o] += g;
        }
    }
}
