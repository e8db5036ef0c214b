using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Lowering;
using Mnist.Dsl.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The random-stack properties (<see cref="GeneratedTrainerGradientTests"/> above all) reach every form of the fused
/// Conv2d + ReLU + BatchNorm2d unit: over a fixed-seed run of the generator's draws, as many as ten runs of the
/// gradient property make, each order with each dropout kind, biased and not, strided and not, is the lowering of some
/// stack. The counts are printed; a generator change that stopped drawing a form fails here.
/// </summary>
public class FusedUnitReachTests(ITestOutputHelper output)
{
    private const int Draws = DrawnStackForms.Draws;

    /// <summary>The fused forms: the unit (order and dropout kind), and the convolution's bias and stride.</summary>
    public static IEnumerable<string> Forms(EngineStep step)
    {
        if (!step.IsFused) yield break;
        var conv = (Conv2d)step.Layer.Layer;
        yield return step.Unit;
        yield return conv.Bias ? "biased" : "unbiased";
        yield return conv.Stride > 1 ? "strided" : "stride 1";
    }

    [Fact]
    public void The_generators_draws_reach_every_form_of_the_fused_unit()
    {
        var (counts, stacks) = DrawnStackForms.Count(Forms);
        output.WriteLine($"{stacks} of {Draws} stacks have a fused unit; units by form: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));

        string[] expected =
        [
            "Conv2d+ReLU+BatchNorm2d", "Conv2d+ReLU+BatchNorm2d+Dropout", "Conv2d+ReLU+BatchNorm2d+Dropout2d",
            "Conv2d+BatchNorm2d+ReLU", "Conv2d+BatchNorm2d+ReLU+Dropout", "Conv2d+BatchNorm2d+ReLU+Dropout2d",
            "biased", "unbiased", "strided", "stride 1",
        ];
        Assert.All(expected, form => Assert.True(counts.GetValueOrDefault(form) > 0, $"no stack of {Draws} lowers to a fused {form} unit"));
    }
}
