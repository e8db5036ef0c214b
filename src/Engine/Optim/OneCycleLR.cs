namespace Mnist.Dsl.Engine.Optim;

/// <summary>
/// torch.optim.lr_scheduler.OneCycleLR with PyTorch's defaults (pct_start 0.3, cosine annealing, div_factor 25,
/// final_div_factor 1e4, two phases, momentum cycled between 0.95 and 0.85): the learning rate rises from
/// max / div to max over the first pct_start of the steps while the momentum falls, then anneals to
/// max / div / final_div while the momentum rises back. Step 0 is the state at construction.
/// </summary>
public sealed class OneCycleLR
{
    private readonly double _maxLearningRate;
    private readonly double _initialLearningRate;
    private readonly double _minLearningRate;
    private readonly double _phaseOneEnd;
    private readonly double _phaseTwoEnd;
    private readonly double _baseMomentum;
    private readonly double _maxMomentum;

    public int TotalSteps { get; }

    public int StepNumber { get; private set; }

    public OneCycleLR(double maxLearningRate, int totalSteps, double pctStart = 0.3, double divFactor = 25,
        double finalDivFactor = 1e4, double baseMomentum = 0.85, double maxMomentum = 0.95)
    {
        if (totalSteps < 2) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "OneCycleLR needs at least two steps");
        _maxLearningRate = maxLearningRate;
        _initialLearningRate = maxLearningRate / divFactor;
        _minLearningRate = _initialLearningRate / finalDivFactor;
        TotalSteps = totalSteps;
        _phaseOneEnd = pctStart * totalSteps - 1;
        _phaseTwoEnd = totalSteps - 1;
        _baseMomentum = baseMomentum;
        _maxMomentum = maxMomentum;
    }

    public double LearningRate => Phase(out var pct, out var one) ? Anneal(_initialLearningRate, _maxLearningRate, pct)
        : Anneal(_maxLearningRate, _minLearningRate, one);

    public double Momentum => Phase(out var pct, out var one) ? Anneal(_maxMomentum, _baseMomentum, pct)
        : Anneal(_baseMomentum, _maxMomentum, one);

    /// <summary>PyTorch's scheduler.step() after an optimizer step; past the last step PyTorch raises, and so do we.</summary>
    public void Step()
    {
        if (StepNumber + 1 > TotalSteps)
            throw new InvalidOperationException($"OneCycleLR stepped {StepNumber + 1} times with total_steps = {TotalSteps}");
        StepNumber++;
    }

    // True in phase one (pct its progress), false in phase two (pct in the other out).
    private bool Phase(out double phaseOne, out double phaseTwo)
    {
        phaseOne = phaseTwo = 0;
        if (StepNumber <= _phaseOneEnd)
        {
            phaseOne = StepNumber / _phaseOneEnd;
            return true;
        }
        phaseTwo = (StepNumber - _phaseOneEnd) / (_phaseTwoEnd - _phaseOneEnd);
        return false;
    }

    private static double Anneal(double start, double end, double pct) => end + (start - end) / 2.0 * (Math.Cos(Math.PI * pct) + 1);
}
