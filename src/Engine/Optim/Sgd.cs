namespace Mnist.Dsl.Engine.Optim;

/// <summary>
/// torch.optim.SGD on a flat parameter vector, in PyTorch's order of operations: d = g + wd p; buf = d at the first
/// step, else momentum buf + (1 - dampening) d; d = d + momentum buf (nesterov) or buf; p -= lr d.
/// Works on a range so that threads can update disjoint slices.
/// </summary>
public sealed unsafe class Sgd : IOptimizer
{
    public double LearningRate { get; set; }

    public double Momentum { get; set; }

    public double Dampening { get; init; }

    public double WeightDecay { get; init; }

    public bool Nesterov { get; init; }

    /// <summary>Steps taken; the momentum buffer starts at the first (PyTorch creates it then).</summary>
    public long Steps { get; set; }

    public Sgd(double learningRate, double momentum = 0)
    {
        LearningRate = learningRate;
        Momentum = momentum;
    }

    /// <summary>Updates parameters [from, to) with their gradients; <paramref name="buffer"/> is the momentum buffer (same length).</summary>
    public void Update(float* parameters, float* gradients, float* buffer, int from, int to)
    {
        float lr = (float)LearningRate, m = (float)Momentum, wd = (float)WeightDecay, keep = (float)(1 - Dampening);
        bool first = Steps == 0;
        for (int i = from; i < to; i++)
        {
            float d = gradients[i];
            if (wd != 0) d += wd * parameters[i];
            if (m != 0)
            {
                float b = first ? d : buffer[i] * m + d * keep;
                buffer[i] = b;
                d = Nesterov ? d + m * b : b;
            }
            parameters[i] -= lr * d;
        }
    }

    public int StateBuffers => 1;

    public IReadOnlyList<string> StateNames { get; } = new[] { "momentum_buffer" };

    public bool HasState => Momentum != 0 && Steps > 0;

    public bool CountsStepsInState => false;

    public void Update(float* parameters, float* gradients, float** state, int from, int to) =>
        Update(parameters, gradients, state[0], from, to);

    /// <summary>Call once per step after every range is updated.</summary>
    public void EndStep() => Steps++;
}
