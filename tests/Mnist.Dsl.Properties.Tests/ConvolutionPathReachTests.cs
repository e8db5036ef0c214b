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
/// The random-stack properties (<see cref="GeneratedTrainerGradientTests"/> above all) reach every path the engine's
/// convolutions take for groups: depthwise, channel multiplier (one input channel a group, several outputs) and other
/// grouped layers, each at stride 1 (the wide kernels block-diagonally) and strided (the phase split keeping the groups),
/// and strided layers whose kernel is smaller than the stride (the split keeps only the phases a tap reads). Over the
/// fixed-seed run of <see cref="DrawnStackForms"/>, every form is some stack's convolution; the counts are printed,
/// and a generator change that stopped drawing a form fails here.
/// </summary>
public class ConvolutionPathReachTests(ITestOutputHelper output)
{
    private const int Draws = DrawnStackForms.Draws;

    /// <summary>The convolution's path: its kind of grouping with its stride, and whether the split drops phases.</summary>
    public static IEnumerable<string> Forms(EngineStep step)
    {
        if (step.Layer.Layer is not Conv2d conv) yield break;
        int inChannels = step.Layer.Input.Channels;
        string kind = conv.Groups == 1 ? "ungrouped"
            : conv.IsDepthwise(inChannels) ? "depthwise"
            : conv.Groups == inChannels ? "channel multiplier"
            : "grouped";
        yield return kind + (conv.Stride > 1 ? " strided" : " stride 1");
        if (conv.KernelSize < conv.Stride) yield return "kernel below stride";
    }

    [Fact]
    public void The_generators_draws_reach_every_grouped_convolution_path()
    {
        var counts = DrawnStackForms.Count(Forms).Counts;
        output.WriteLine($"convolutions of {Draws} stacks by path: " + string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}")));

        string[] expected =
        [
            "depthwise stride 1", "depthwise strided", "channel multiplier stride 1", "channel multiplier strided",
            "grouped stride 1", "grouped strided", "ungrouped strided", "kernel below stride",
        ];
        Assert.All(expected, form => Assert.True(counts.GetValueOrDefault(form) > 0, $"no convolution of {Draws} stacks takes the {form} path"));
    }
}
