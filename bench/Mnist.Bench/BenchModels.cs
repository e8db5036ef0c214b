using System;
using Mnist.Models;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>The sample networks by the trainer's command-line names, as bench/pytorch/networks.py names them.</summary>
internal static class BenchModels
{
    public static Func<nn.Module<Tensor, Tensor>> Find(string name) => name switch
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
