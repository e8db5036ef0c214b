using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Registry;
using Mnist.Models;
using TorchSharp;

namespace Mnist.Models.Tests;

/// <summary>The sample networks of src/Samples/Mnist.Models, each with a fresh instance on demand.</summary>
internal static class SampleModels
{
    /// <summary>Mnist.Models' generated registry by class name (the PyTorch twins' MODELS keys), not a list kept here.</summary>
    public static IReadOnlyDictionary<string, Func<torch.nn.Module<torch.Tensor, torch.Tensor>>> Create { get; } =
        new SortedDictionary<string, Func<torch.nn.Module<torch.Tensor, torch.Tensor>>>(
            NetworkRegistry.Of(typeof(DefaultNet).Assembly).ToDictionary(n => n.Type.Name, n => (Func<torch.nn.Module<torch.Tensor, torch.Tensor>>)(() => n.CreateModule<torch.nn.Module<torch.Tensor, torch.Tensor>>())),
            StringComparer.Ordinal);

    public static IEnumerable<object[]> Names() => Create.Keys.Select(name => new object[] { name });

    /// <summary>Every generated network type in the Mnist.Models assembly, by name.</summary>
    public static IEnumerable<string> DeclaredInAssembly() =>
        typeof(DefaultNet).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(torch.nn.Module).IsAssignableFrom(t))
            .Select(t => t.Name);
}
