using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Xunit;

namespace Mnist.Dsl.Tests.Registry;

/// <summary>Which network a weights file fits, from its tensors' names and shapes (ModuleLayout), with no runtime.</summary>
public class WeightsFitTests
{
    // Two small networks of the same layer kinds that differ only in width (so the same keys, other shapes), and one
    // with a bias more (another key).
    private static readonly RegisteredNetwork Narrow = Network("narrow", 4);
    private static readonly RegisteredNetwork Wide = Network("wide", 8);
    private static readonly RegisteredNetwork WideTwin = Network("wide-twin", 8);
    private static readonly RegisteredNetwork Biased = Network("biased", 4, convBias: true);
    private static readonly RegisteredNetwork[] Known = { Narrow, Wide, Biased, WideTwin };

    private static RegisteredNetwork Network(string name, int channels, bool convBias = false)
    {
        var definition = new NetworkDefinition(name, 1, 8, 8,
            new Layer[] { new Conv2d(channels, 3, Bias: convBias), new ReLU(), new BatchNorm2d(), new Dropout(0.1), new GlobalAvgPool2d(), new Linear(10) });
        var summary = NetworkAnalysis.Analyze(definition).Summary!;
        return RegisteredNetwork.Create(new NetworkRegistration { Name = name, FullName = name, Type = typeof(object), Definition = definition, Summary = summary });
    }

    /// <summary>The file a network's module saves: its state, from the layout.</summary>
    private static Dictionary<string, IReadOnlyList<long>> FileOf(RegisteredNetwork network) =>
        ModuleLayout.Of(network.Summary).State.ToDictionary(t => t.Key, t => t.Shape);

    [Fact]
    public void The_layout_is_the_modules_keys_and_shapes()
    {
        Assert.Equal(
            new[] { "conv1.weight [8, 1, 3, 3]", "bn1.weight [8]", "bn1.bias [8]", "bn1.running_mean [8]", "bn1.running_var [8]", "bn1.num_batches_tracked []", "fc1.weight [10, 8]", "fc1.bias [10]" },
            ModuleLayout.Of(Wide.Summary).State.Select(t => t.ToString()));
        Assert.Equal(new[] { "conv1", "relu1", "bn1", "dropout1", "gap1", "fc1" }, ModuleLayout.Of(Wide.Summary).Members);
    }

    [Fact]
    public void A_network_fits_its_own_file_and_no_other()
    {
        Assert.Equal(new[] { Narrow }, WeightsFit.Fitting(FileOf(Narrow), Known));
        Assert.Equal(new[] { Biased }, WeightsFit.Fitting(FileOf(Biased), Known));
        Assert.Equal(new[] { Wide, WideTwin }, WeightsFit.Fitting(FileOf(Wide), Known));
    }

    [Fact]
    public void Batch_counts_may_be_missing_but_nothing_else_and_nothing_may_be_added()
    {
        var noCounts = FileOf(Narrow);
        noCounts.Remove("bn1.num_batches_tracked");
        Assert.True(WeightsFit.Fits(Narrow, noCounts));

        var noBias = FileOf(Narrow);
        noBias.Remove("fc1.bias");
        Assert.False(WeightsFit.Fits(Narrow, noBias));

        var extra = FileOf(Narrow);
        extra["conv2.weight"] = new long[] { 4, 4, 3, 3 };
        Assert.False(WeightsFit.Fits(Narrow, extra));

        var reshaped = FileOf(Narrow);
        reshaped["fc1.weight"] = new long[] { 4, 10 };
        Assert.False(WeightsFit.Fits(Narrow, reshaped));
    }

    [Fact]
    public void A_file_of_another_known_network_is_named_as_that_networks()
    {
        Assert.Equal("run/best.safetensors: these weights fit network 'narrow', not 'biased'. Use them with 'narrow', or give a weights file of 'biased'.",
            WeightsFit.OtherNetworkMessage("run/best.safetensors", Biased, FileOf(Narrow), Known));
        Assert.Equal("w: these weights fit networks 'wide' or 'wide-twin', not 'narrow'. Use them with one of those, or give a weights file of 'narrow'.",
            WeightsFit.OtherNetworkMessage("w", Narrow, FileOf(Wide), Known));
        // The network asked for is one of two that fit: nothing to say, the file is its.
        Assert.Null(WeightsFit.OtherNetworkMessage("w", Wide, FileOf(WideTwin), Known));
    }

    [Fact]
    public void A_file_that_fits_no_known_network_gets_no_hint_so_the_list_of_differences_stands()
    {
        var extra = FileOf(Narrow);
        extra["conv2.weight"] = new long[] { 4, 4, 3, 3 };

        Assert.Null(WeightsFit.OtherNetworkMessage("w", Wide, extra, Known));
        Assert.Null(WeightsFit.OtherNetworkMessage("w", Wide, FileOf(Narrow), Array.Empty<RegisteredNetwork>()));
    }
}
