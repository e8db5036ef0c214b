namespace Mnist.Dsl.Engine.Optim;

/// <summary>torch.optim.lr_scheduler.StepLR: lr = base gamma^floor(epoch / stepSize).</summary>
public sealed class StepLR(double baseLearningRate, int stepSize, double gamma = 0.1)
{
    public int Epoch { get; private set; }

    public double LearningRate => baseLearningRate * Math.Pow(gamma, Epoch / stepSize);

    /// <summary>Advances one epoch (PyTorch's scheduler.step()) and returns the new learning rate.</summary>
    public double Step()
    {
        Epoch++;
        return LearningRate;
    }
}
