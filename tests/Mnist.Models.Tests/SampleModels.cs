using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Models;
using TorchSharp;

namespace Mnist.Models.Tests;

/// <summary>The sample networks of src/Samples/Mnist.Models, each with a fresh instance on demand.</summary>
internal static class SampleModels
{
    public static IReadOnlyDictionary<string, Func<torch.nn.Module<torch.Tensor, torch.Tensor>>> Create { get; } =
        new SortedDictionary<string, Func<torch.nn.Module<torch.Tensor, torch.Tensor>>>(StringComparer.Ordinal)
        {
            [nameof(DefaultNet)] = () => new DefaultNet(),
            [nameof(SmallNet)] = () => new SmallNet(),
            [nameof(Seed001Model1)] = () => new Seed001Model1(),
            [nameof(Seed001Model2)] = () => new Seed001Model2(),
            [nameof(Seed002Net)] = () => new Seed002Net(),
            [nameof(Seed004Net)] = () => new Seed004Net(),
        };

    public static IEnumerable<object[]> Names() => Create.Keys.Select(name => new object[] { name });

    /// <summary>Every generated network type in the Mnist.Models assembly, by name.</summary>
    public static IEnumerable<string> DeclaredInAssembly() =>
        typeof(DefaultNet).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(torch.nn.Module).IsAssignableFrom(t))
            .Select(t => t.Name);
}
