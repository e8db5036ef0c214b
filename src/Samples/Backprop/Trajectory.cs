using System.Collections.Generic;

namespace Backprop;

/// <summary>
/// One learning rate's run: the sheet's rows, and the largest |hand − autograd| over all of them
/// (null when the run was not checked).
/// </summary>
public sealed record Trajectory(double LearningRate, IReadOnlyList<Iteration> Iterations, double? MaxAutogradDeviation)
{
    public double FirstError => Iterations[0].Forward.ETotal;

    public double LastError => Iterations[^1].Forward.ETotal;
}
