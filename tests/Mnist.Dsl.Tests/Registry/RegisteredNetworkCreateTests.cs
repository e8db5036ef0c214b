using System;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Xunit;

namespace Mnist.Dsl.Tests.Registry;

/// <summary>
/// The typed API the generated registry and DefinedNetwork call: a registration set by name, checked when the entry is
/// made, and a trainer factory typed by its options and trainer, asked for by the same types.
/// </summary>
public sealed class RegisteredNetworkCreateTests
{
    private sealed record Options(int BatchSize);

    private sealed record Trainer(int BatchSize);

    private static NetworkRegistration Registration(string? noTrainerReason = null)
    {
        var definition = new NetworkDefinition("Net", 1, 8, 8, new Layer[] { new Conv2d(4, 3), new ReLU(), new GlobalAvgPool2d(), new Linear(10) }, requires: RequiredLayers.None);
        return new NetworkRegistration
        {
            Name = "net", FullName = "Nets.Net", Type = typeof(object), Definition = definition,
            Summary = NetworkAnalysis.Analyze(definition).Summary, NoTrainerReason = noTrainerReason,
        };
    }

    [Fact]
    public void The_trainer_factory_is_called_with_the_options_it_was_registered_with()
    {
        var network = RegisteredNetwork.Create<Options, Trainer>(Registration(), options => new Trainer(options.BatchSize * 2));

        Assert.True(network.HasTrainer);
        Assert.Equal(new Trainer(64), network.CreateTrainer<Options, Trainer>(new Options(32)));
        Assert.Null(network.NoTrainerReason);
    }

    [Fact]
    public void Asking_for_other_types_than_the_factorys_is_one_line_naming_both()
    {
        var network = RegisteredNetwork.Create<Options, Trainer>(Registration(), options => new Trainer(options.BatchSize));

        var error = Assert.Throws<InvalidCastException>(() => network.CreateTrainer<string, Trainer>("32"));

        Assert.Equal($"Nets.Net's trainer factory is a TrainerFactory`2, not a factory of {typeof(Trainer).FullName} from System.String.", error.Message);
    }

    [Fact]
    public void Without_a_factory_the_reason_is_kept_and_CreateTrainer_says_it()
    {
        var network = RegisteredNetwork.Create(Registration("its layer 2 is too wide"));

        Assert.False(network.HasTrainer);
        var error = Assert.Throws<InvalidOperationException>(() => network.CreateTrainer<Options, Trainer>(new Options(1)));
        Assert.Equal("Nets.Net has no trainer on the engine: its layer 2 is too wide", error.Message);
    }

    [Fact]
    public void A_registration_without_a_required_property_is_refused_naming_it()
    {
        var error = Assert.Throws<ArgumentException>(() => RegisteredNetwork.Create(new NetworkRegistration { Name = "net", FullName = "Nets.Net", Type = typeof(object) }));

        Assert.StartsWith("NetworkRegistration.Definition is required (registering Nets.Net).", error.Message);
    }
}
