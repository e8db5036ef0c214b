using System;
using System.IO;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Definitions;
using Mnist.Dsl.Training.Serialization;
using TorchSharp;
using Xunit;

namespace Mnist.Dsl.Training.Tests.Definitions;

/// <summary>
/// ModuleWeights.LoadWeights with the known networks: a file of another known network is named as that network's
/// before anything is copied; a file of no known network keeps the list of every difference. The networks are
/// built from definitions at run time (DefinedNetwork), as an F# project registers its own.
/// </summary>
[Collection(Serial.Name)]
public sealed class OtherNetworkWeightsTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("mnist-other-weights-");

    public void Dispose() => _folder.Delete(recursive: true);

    private static RegisteredNetwork Network(string name, int channels) => DefinedNetwork.Register(new NetworkDefinition(name, 1, 12, 12,
        new Layer[] { new Conv2d(channels, 3, Bias: false), new ReLU(), new BatchNorm2d(), new Dropout(0.1), new MaxPool2d(2), new Conv2d(8, 3), new GlobalAvgPool2d(), new Linear(10), new LogSoftmax() }), name);

    private readonly RegisteredNetwork _narrow = Network("narrow", 4);
    private readonly RegisteredNetwork _wide = Network("wide", 6);

    private string Saved(RegisteredNetwork network)
    {
        var path = Path.Combine(_folder.FullName, network.Name + ".safetensors");
        using var module = network.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>();
        module.SaveWeights(path);
        return path;
    }

    [Fact]
    public void A_file_of_another_known_network_is_named_and_nothing_is_copied()
    {
        var path = Saved(_narrow);
        using var module = _wide.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>();
        var before = module.state_dict()["conv1.weight"].clone();

        var error = Assert.Throws<InvalidDataException>(() => module.LoadWeights(path, _wide, new[] { _narrow, _wide }));

        Assert.Equal($"{path}: these weights fit network 'narrow', not 'wide'. Use them with 'narrow', or give a weights file of 'wide'.", error.Message);
        Assert.True(before.allclose(module.state_dict()["conv1.weight"], 0, 0), "nothing is copied from a refused file");
    }

    [Fact]
    public void A_file_of_no_known_network_lists_every_difference_and_the_networks_own_file_loads()
    {
        var path = Saved(_narrow);
        using var module = _wide.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>();

        var error = Assert.Throws<InvalidDataException>(() => module.LoadWeights(path, _wide, new[] { _wide }));
        Assert.StartsWith($"{path} does not hold weights for this wide (", error.Message);
        Assert.Contains("shape: conv1.weight is [4, 1, 3, 3] but this model's is [6, 1, 3, 3]", error.Message);

        module.LoadWeights(Saved(_wide), _wide, new[] { _narrow, _wide });
    }
}
