using System;
using Mnist.Dsl.Training.Runtime;
using Mnist.Models;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// The sample networks by the trainer's command-line names, as bench/pytorch/networks.py names them. Their
/// convolution weights are put in channels-last order (<see cref="ChannelsLast"/>), as our trainer trains them,
/// unless DOTNET_LAYOUT=contiguous asks for libtorch's default order (bench/pytorch/networks.py reads
/// PYTORCH_LAYOUT for the PyTorch side, default contiguous: the seeds' recipe as written).
/// </summary>
internal static class BenchModels
{
    public const string LayoutVariable = "DOTNET_LAYOUT";

    public static bool UsesChannelsLast => Environment.GetEnvironmentVariable(LayoutVariable) switch
    {
        null or "" or "channels_last" => true,
        "contiguous" => false,
        var other => throw new ArgumentException($"{LayoutVariable}={other}: use channels_last or contiguous"),
    };

    public static Func<nn.Module<Tensor, Tensor>> Find(string name)
    {
        var create = Plain(name);
        var channelsLast = UsesChannelsLast;
        return () =>
        {
            var model = create();
            if (channelsLast) ChannelsLast.Apply(model);
            return model;
        };
    }

    /// <summary>The network in libtorch's default (contiguous) order.</summary>
    public static Func<nn.Module<Tensor, Tensor>> Plain(string name) => name switch
    {
        "default" => () => new DefaultNet(),
        "small" => () => new SmallNet(),
        "seed004" => () => new Seed004Net(),
        "seed002" => () => new Seed002Net(),
        "seed001-1" => () => new Seed001Model1(),
        "seed001-2" => () => new Seed001Model2(),
        _ => throw new ArgumentException($"unknown model '{name}'; known: default, small, seed004, seed002, seed001-1, seed001-2"),
    };
}
