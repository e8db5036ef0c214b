using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Registry;

namespace Mnist.Classify;

/// <summary>
/// The sample networks as this assembly's generated registry lists them (it compiles Mnist.Models' declarations,
/// so the names are theirs: [Network(Name = "default")], ...), each loading its inference class from a safetensors file.
/// </summary>
internal static class Classifiers
{
    public static NetworkRegistry All { get; } = NetworkRegistry.Of(typeof(Classifiers).Assembly);

    public static INetworkInference Load(string name, string weights)
    {
        RegisteredNetwork network;
        try { network = All.Find(name); }
        catch (KeyNotFoundException) { throw new ArgumentException($"unknown network '{name}'; known: {Names}."); }
        return network.LoadInference(weights, All); // names the network a file of another one fits
    }

    public static string Names => string.Join(", ", All.Select(n => n.Name));
}
