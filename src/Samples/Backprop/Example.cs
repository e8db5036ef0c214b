namespace Backprop;

/// <summary>
/// The one training example of seed 001's sheet: inputs i1, i2 and targets t1, t2. The seed trains on a
/// single example, so one iteration of gradient descent is one step on it.
/// </summary>
public sealed record Example(double I1 = 0.05, double I2 = 0.1, double T1 = 0.5, double T2 = 0.5)
{
    public static Example Default { get; } = new();
}
