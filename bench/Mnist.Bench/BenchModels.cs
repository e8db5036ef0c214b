using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Registry;
using Mnist.Models;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// The sample networks by the trainer's command-line names (Mnist.Models' registry), as bench/pytorch/networks.py names them. Their
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
    public static Func<nn.Module<Tensor, Tensor>> Plain(string name)
    {
        var network = Network(name);
        return () => network.CreateModule<nn.Module<Tensor, Tensor>>();
    }

    /// <summary>The network of a trainer's name (ignoring case), from Mnist.Models' generated registry.</summary>
    public static RegisteredNetwork Network(string name)
    {
        try
        {
            return Networks.Find(name);
        }
        catch (KeyNotFoundException)
        {
            throw new ArgumentException($"unknown model '{name}'; known: {Names}");
        }
    }

    /// <summary>The registry's names, for usage and error messages.</summary>
    public static string Names => string.Join(", ", Networks.Select(n => n.Name));

    private static NetworkRegistry Networks { get; } = NetworkRegistry.Of(typeof(DefaultNet).Assembly);
}
