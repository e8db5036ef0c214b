using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Models;
using TorchSharp;

namespace Mnist.Train;

/// <summary>One trainable network: its name on the command line, how to build it, and its compile-time summary.</summary>
internal sealed record ModelEntry(string Name, string Description, Func<torch.nn.Module<torch.Tensor, torch.Tensor>> Create, NetworkSummary Summary);

/// <summary>The networks the trainer knows, by command-line name.</summary>
internal static class ModelCatalog
{
    public const string Default = "default";

    public static IReadOnlyList<ModelEntry> All { get; } = new[]
    {
        new ModelEntry("default", "the default network: 5 convs (16-24, 1x1 squeeze, 16-24-32), BN, dropout 0.05, GAP, FC", () => new DefaultNet(), DefaultNet.Summary),
        new ModelEntry("small", "the small network (< 8,000 parameters): 6 convs of 10-16 channels, BN, dropout 0.05, GAP, FC", () => new SmallNet(), SmallNet.Summary),
        new ModelEntry("seed004", "seed 004's network: conv blocks with BN and dropout, 1x1 transitions, GAP, FC", () => new Seed004Net(), Seed004Net.Summary),
        new ModelEntry("seed002", "seed 002's network (5 convs 4-8-16-24-32, BN, pooling with dropout, GAP, FC)", () => new Seed002Net(), Seed002Net.Summary),
        new ModelEntry("seed001-1", "seed 001, model 1: CNN with a linear head", () => new Seed001Model1(), Seed001Model1.Summary),
        new ModelEntry("seed001-2", "seed 001, model 2: CNN only (no GAP, no FC)", () => new Seed001Model2(), Seed001Model2.Summary),
    };

    public static ModelEntry Find(string name) =>
        All.FirstOrDefault(m => string.Equals(m.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new UserError($"Unknown model '{name}'. Known models: {string.Join(", ", All.Select(m => m.Name))} (see `list`).");
}



