using System.Collections.Generic;
using System.Linq;

namespace Backprop;

/// <summary>Trains the network from the same start at each learning rate, by the hand-derived gradients.</summary>
public static class LearningRateSweep
{
    /// <summary>
    /// Rows 1..iterations: row k holds the weights after k − 1 updates, the forward pass and the gradients
    /// at them (as in the seed's sheet, whose first row is the starting weights).
    /// </summary>
    public static IReadOnlyList<Iteration> Train(Example x, Weights initial, double learningRate, int iterations)
    {
        var rows = new List<Iteration>(iterations);
        var w = initial;
        for (var k = 1; k <= iterations; k++)
        {
            var forward = Network222.Forward(x, w);
            var gradients = Network222.Backward(x, w, forward);
            rows.Add(new Iteration(k, learningRate, x, w, forward, gradients));
            w = w.Step(gradients, learningRate);
        }
        return rows;
    }

    /// <summary>Every learning rate of the settings; with <paramref name="checkAutograd"/>, each run is replayed by libtorch autograd.</summary>
    public static IReadOnlyList<Trajectory> Run(SweepSettings settings, bool checkAutograd)
    {
        settings = settings.Validated();
        return settings.LearningRates.Select(lr =>
        {
            var rows = Train(settings.Example, settings.Initial, lr, settings.Iterations);
            double? deviation = checkAutograd
                ? AutogradCheck.MaxDeviation(rows, AutogradCheck.Train(settings.Example, settings.Initial, lr, settings.Iterations))
                : null;
            return new Trajectory(lr, rows, deviation);
        }).ToList();
    }
}
