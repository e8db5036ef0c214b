namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// LogSoftmax over one sample's classes, NLL loss with mean reduction, and cross-entropy (the two fused) with their
/// gradients. The mean's 1 / batch is applied in the gradient here, so per-thread losses only need summing.
/// </summary>
internal static unsafe class LossKernels
{
    /// <summary>y = x - logsumexp(x), max-shifted as PyTorch does.</summary>
    public static void LogSoftmax(float* x, int classes, float* y)
    {
        float max = float.NegativeInfinity;
        for (int i = 0; i < classes; i++) max = MathF.Max(max, x[i]);
        double sum = 0;
        for (int i = 0; i < classes; i++) sum += Math.Exp(x[i] - max);
        float log = max + (float)Math.Log(sum);
        for (int i = 0; i < classes; i++) y[i] = x[i] - log;
    }

    /// <summary>dx = dy - exp(y) sum(dy), y the LogSoftmax output.</summary>
    public static void LogSoftmaxBackward(float* y, float* dy, int classes, float* dx)
    {
        float sum = 0;
        for (int i = 0; i < classes; i++) sum += dy[i];
        for (int i = 0; i < classes; i++) dx[i] = dy[i] - MathF.Exp(y[i]) * sum;
    }

    /// <summary>NLL of one sample given log-probabilities: -logProbabilities[label].</summary>
    public static float Nll(float* logProbabilities, int label) => -logProbabilities[label];

    /// <summary>dL/d(log-probabilities) for mean NLL over <paramref name="batch"/>: -1 / batch at the label, 0 elsewhere.</summary>
    public static void NllBackward(int classes, int label, int batch, float* dx)
    {
        for (int i = 0; i < classes; i++) dx[i] = 0;
        dx[label] = -1f / batch;
    }

    /// <summary>
    /// LogSoftmax followed by mean NLL, backward in one go: dL/dx = (softmax(x) - onehot(label)) / batch, from the
    /// LogSoftmax output y. Cross-entropy on logits is exactly this. Returns the sample's loss.
    /// </summary>
    public static float LogSoftmaxNll(float* x, int classes, int label, int batch, float* y, float* dx)
    {
        LogSoftmax(x, classes, y);
        for (int i = 0; i < classes; i++) dx[i] = MathF.Exp(y[i]) / batch;
        dx[label] -= 1f / batch;
        return -y[label];
    }
}
