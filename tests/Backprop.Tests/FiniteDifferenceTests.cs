using System;
using System.Linq;
using Xunit;

namespace Backprop.Tests;

/// <summary>
/// The hand-derived gradients against central finite differences of E_total: perturb one weight by ±h,
/// re-run the forward pass, and (E(w + h) − E(w − h)) / 2h must match ∂E/∂w. Independent of libtorch.
/// </summary>
public class FiniteDifferenceTests
{
    // Central difference error is O(h²·E''') ≈ 1e-12 here, rounding ≈ 1e-16·E/h ≈ 1e-12: 1e-10 has room
    // and is still far below the gradients (1e-4 .. 1e-2).
    private const double Step = 1e-5;
    private const double Tolerance = 1e-10;

    [Fact]
    public void Each_gradient_matches_a_central_difference_at_the_seed_point() =>
        AssertMatchesFiniteDifferences(Example.Default, Weights.Default);

    [Fact]
    public void Each_gradient_matches_a_central_difference_along_a_training_run()
    {
        foreach (var row in LearningRateSweep.Train(Example.Default, Weights.Default, 2.0, 100).Where(r => r.Number % 10 == 1))
            AssertMatchesFiniteDifferences(row.Example, row.Weights);
    }

    [Fact]
    public void Each_gradient_matches_a_central_difference_at_random_points()
    {
        var random = new Random(4);
        double Uniform(double low, double high) => low + (high - low) * random.NextDouble();
        for (var trial = 0; trial < 30; trial++)
            AssertMatchesFiniteDifferences(
                new Example(Uniform(-1, 1), Uniform(-1, 1), Uniform(0, 1), Uniform(0, 1)),
                Weights.FromArray(Enumerable.Range(0, 8).Select(_ => Uniform(-2, 2)).ToArray()));
    }

    private static void AssertMatchesFiniteDifferences(Example x, Weights w)
    {
        var gradient = Network222.Backward(x, w, Network222.Forward(x, w)).ToArray();
        for (var j = 0; j < 8; j++)
        {
            var plus = w.ToArray();
            var minus = w.ToArray();
            plus[j] += Step;
            minus[j] -= Step;
            var numeric = (Network222.Forward(x, Weights.FromArray(plus)).ETotal - Network222.Forward(x, Weights.FromArray(minus)).ETotal) / (2 * Step);
            Assert.True(Math.Abs(numeric - gradient[j]) <= Tolerance, $"∂E/∂w{j + 1}: hand {gradient[j]:R}, finite difference {numeric:R}");
        }
    }
}
