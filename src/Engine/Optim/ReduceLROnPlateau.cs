namespace Mnist.Dsl.Engine.Optim;

/// <summary>
/// torch.optim.lr_scheduler.ReduceLROnPlateau in mode "min" with a relative threshold: a metric better than
/// best (1 - threshold) resets the count of bad epochs; more than <c>patience</c> bad epochs multiply the learning
/// rate by <c>factor</c> (not below min_lr, and only when the change exceeds eps), then a cooldown.
/// </summary>
public sealed class ReduceLROnPlateau(double learningRate, double factor = 0.1, int patience = 10, double threshold = 1e-4,
    int cooldown = 0, double minLearningRate = 0, double eps = 1e-8)
{
    private int _badEpochs;
    private int _cooldownLeft;

    public double LearningRate { get; private set; } = learningRate;

    public double Best { get; private set; } = double.PositiveInfinity;

    /// <summary>Feeds one epoch's metric (PyTorch's scheduler.step(metric)); returns the learning rate to use next.</summary>
    public double Step(double metric)
    {
        if (metric < Best * (1 - threshold))
        {
            Best = metric;
            _badEpochs = 0;
        }
        else
        {
            _badEpochs++;
        }

        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _badEpochs = 0;
        }

        if (_badEpochs > patience)
        {
            double reduced = Math.Max(LearningRate * factor, minLearningRate);
            if (LearningRate - reduced > eps) LearningRate = reduced;
            _cooldownLeft = cooldown;
            _badEpochs = 0;
        }
        return LearningRate;
    }
}
