using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Registry;
using Mnist.Models;
using TorchSharp;

namespace Mnist.Train;

/// <summary>
/// The networks the trainer knows: Mnist.Models' generated registry, so a network declared there (with its
/// [Network(Name = ..., Description = ...)]) is listed, summarised, trained and evaluated without being added here.
/// </summary>
internal static class ModelCatalog
{
    public const string Default = "default";

    public static NetworkRegistry All { get; } = NetworkRegistry.Of(typeof(DefaultNet).Assembly);

    /// <summary>The network of a command-line name (ignoring case; its class or full name works too).</summary>
    public static RegisteredNetwork Find(string name)
    {
        try
        {
            return All.Find(name);
        }
        catch (KeyNotFoundException)
        {
            throw new UserError($"Unknown model '{name}'. Known models: {string.Join(", ", All.Select(m => m.Name))} (see `list`).");
        }
    }

    /// <summary>A new, untrained module of the network.</summary>
    public static torch.nn.Module<torch.Tensor, torch.Tensor> Create(this RegisteredNetwork network) =>
        network.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>();
}
