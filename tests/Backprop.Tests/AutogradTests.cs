using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;

namespace Backprop.Tests;

/// <summary>The hand-derived gradients against libtorch autograd on float64 tensors.</summary>
public class AutogradTests
{
    private const double Tolerance = 1e-9;

    public static IEnumerable<object[]> SeedLearningRates() => SweepSettings.SeedLearningRates.Select(lr => new object[] { lr });

    [Theory]
    [MemberData(nameof(SeedLearningRates))]
    public void Hand_gradients_equal_autograd_for_100_steps(double learningRate)
    {
        var hand = LearningRateSweep.Train(Example.Default, Weights.Default, learningRate, 100);
        var autograd = AutogradCheck.Train(Example.Default, Weights.Default, learningRate, 100);

        Assert.Equal(100, autograd.Count);
        for (var k = 0; k < hand.Count; k++)
        {
            Assert.Equal(hand[k].Forward.ETotal, autograd[k].ETotal, Tolerance);
            var handGradient = hand[k].Gradients.ToArray();
            var autogradGradient = autograd[k].Gradients.ToArray();
            var handWeights = hand[k].Weights.ToArray();
            var autogradWeights = autograd[k].Weights.ToArray();
            for (var j = 0; j < 8; j++)
            {
                Assert.Equal(handGradient[j], autogradGradient[j], Tolerance);
                Assert.Equal(handWeights[j], autogradWeights[j], Tolerance);
            }
        }
        Assert.InRange(AutogradCheck.MaxDeviation(hand, autograd), 0, Tolerance);
    }

    [Fact]
    public void Sweep_reports_the_autograd_deviation_of_every_learning_rate()
    {
        var trajectories = LearningRateSweep.Run(SweepSettings.Default, checkAutograd: true);

        Assert.Equal(SweepSettings.SeedLearningRates, trajectories.Select(t => t.LearningRate));
        Assert.All(trajectories, t => Assert.InRange(t.MaxAutogradDeviation!.Value, 0, Tolerance));
    }

    /// <summary>Other inputs, targets and weights (all settable): the derivation must hold everywhere, not at the seed's point.</summary>
    [Fact]
    public void Hand_gradients_equal_autograd_at_random_points()
    {
        var random = new Random(2021);
        double Uniform(double low, double high) => low + (high - low) * random.NextDouble();
        for (var trial = 0; trial < 50; trial++)
        {
            var x = new Example(Uniform(-2, 2), Uniform(-2, 2), Uniform(0, 1), Uniform(0, 1));
            var w = Weights.FromArray(Enumerable.Range(0, 8).Select(_ => Uniform(-3, 3)).ToArray());
            var f = Network222.Forward(x, w);
            var hand = Network222.Backward(x, w, f).ToArray();
            var autograd = AutogradCheck.Evaluate(x, w);

            Assert.Equal(f.ETotal, autograd.ETotal, Tolerance);
            var expected = autograd.Gradients.ToArray();
            for (var j = 0; j < 8; j++) Assert.Equal(expected[j], hand[j], Tolerance);
        }
    }

    /// <summary>
    /// The check has teeth: the assignment sheet's slip (a_h1·(1 − a_h1) in ∂E/∂w3) is off by about 9e-8
    /// at the seed's starting point, ninety times the tolerance.
    /// </summary>
    [Fact]
    public void Autograd_rejects_the_sheets_w3_slip()
    {
        var x = Example.Default;
        var w = Weights.Default;
        var f = Network222.Forward(x, w);
        var dEdAh2 = (f.AO1 - x.T1) * f.AO1 * (1 - f.AO1) * w.W6 + (f.AO2 - x.T2) * f.AO2 * (1 - f.AO2) * w.W8;
        var slipped = dEdAh2 * f.AH1 * (1 - f.AH1) * x.I1;

        var autograd = AutogradCheck.Evaluate(x, w).Gradients.DW3;

        Assert.True(Math.Abs(slipped - autograd) > 50 * Tolerance, $"slipped {slipped} vs autograd {autograd}");
        Assert.Equal(autograd, Network222.Backward(x, w, f).DW3, Tolerance);
    }

    [Fact]
    public void Max_deviation_is_NaN_when_a_run_produced_NaN()
    {
        var hand = LearningRateSweep.Train(Example.Default, Weights.Default, 0.5, 2);
        var autograd = AutogradCheck.Train(Example.Default, Weights.Default, 0.5, 2).ToList();
        autograd[1] = autograd[1] with { ETotal = double.NaN };

        Assert.True(double.IsNaN(AutogradCheck.MaxDeviation(hand, autograd)));
    }
}
