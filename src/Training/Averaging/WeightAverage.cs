using Mnist.Dsl.Engine;

namespace Mnist.Dsl.Training.Averaging;

/// <summary>
/// An exponential moving average of a trainer's parameters, updated after every step (--ema): the test passes and the
/// saved weights use it, training goes on with the live weights. The decay warms up as timm's and TensorFlow's do,
/// min(decay, (1 + n) / (10 + n)) at update n, so that early on the average follows the weights instead of staying at
/// their initialisation; BatchNorm's running statistics are the live ones (they are averages already). The same rule
/// as bench/pytorch/fastest_search.py's Ema, so the PyTorch side of the benchmark runs the same recipe.
/// </summary>
internal sealed class WeightAverage(double decay, ReadOnlySpan<float> initial)
{
    private readonly float[] _average = initial.ToArray();

    public double Decay { get; } = decay;

    /// <summary>Updates so far (the warm-up's n); with <see cref="Values"/>, what a checkpoint keeps.</summary>
    public long Updates { get; set; }

    public Span<float> Values => _average;

    public void Update(ReadOnlySpan<float> parameters)
    {
        Updates++;
        var d = (float)Math.Min(Decay, (1.0 + Updates) / (10.0 + Updates));
        for (var i = 0; i < _average.Length; i++) _average[i] = d * _average[i] + (1 - d) * parameters[i];
    }

    /// <summary>Runs <paramref name="use"/> with the average in the trainer's parameters, then puts the live weights back.</summary>
    public T Applied<T>(ITrainer trainer, Func<T> use)
    {
        Swap(trainer);
        try
        {
            return use();
        }
        finally
        {
            Swap(trainer);
        }
    }

    private void Swap(ITrainer trainer)
    {
        var live = trainer.Parameters;
        for (var i = 0; i < _average.Length; i++) (live[i], _average[i]) = (_average[i], live[i]);
        trainer.ParametersChanged();
    }
}
