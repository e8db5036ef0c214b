namespace Mnist.Dsl.Engine.Optim;

/// <summary>
/// torch.optim.Adam (not AMSGrad) as PyTorch 1.13 computes it: g += wd p (L2, not AdamW); m = b1 m + (1 - b1) g;
/// v = b2 v + (1 - b2) g^2; p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps): eps outside the root.
/// </summary>
public sealed unsafe class Adam : IOptimizer
{
    public double LearningRate { get; set; }

    /// <summary>beta1: OneCycleLR cycles it as SGD's momentum.</summary>
    public double Beta1 { get; set; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-8;

    public double WeightDecay { get; init; }

    public long Steps { get; set; }

    public Adam(double learningRate) => LearningRate = learningRate;

    public void Update(float* parameters, float* gradients, float* firstMoment, float* secondMoment, int from, int to)
    {
        long t = Steps + 1;
        float b1 = (float)Beta1, b2 = (float)Beta2, wd = (float)WeightDecay, eps = (float)Epsilon;
        float stepSize = (float)(LearningRate / (1 - Math.Pow(Beta1, t)));
        float correction2 = (float)Math.Sqrt(1 - Math.Pow(Beta2, t));
        for (int i = from; i < to; i++)
        {
            float g = gradients[i];
            if (wd != 0) g += wd * parameters[i];
            float m = firstMoment[i] * b1 + g * (1 - b1);
            float v = secondMoment[i] * b2 + g * g * (1 - b2);
            firstMoment[i] = m;
            secondMoment[i] = v;
            parameters[i] -= stepSize * (m / (MathF.Sqrt(v) / correction2 + eps));
        }
    }

    double IOptimizer.Momentum
    {
        get => Beta1;
        set => Beta1 = value;
    }

    public int StateBuffers => 2;

    public IReadOnlyList<string> StateNames { get; } = new[] { "exp_avg", "exp_avg_sq" };

    public bool HasState => true;

    public bool CountsStepsInState => true;

    public void Update(float* parameters, float* gradients, float** state, int from, int to) =>
        Update(parameters, gradients, state[0], state[1], from, to);

    public void EndStep() => Steps++;
}
