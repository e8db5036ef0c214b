using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Models;
using static TorchSharp.torch;

namespace Mnist.Inference.Tests;

/// <summary>A sample network two ways: the TorchSharp module the generator emits, and its generated inference class.</summary>
public sealed record SampleNetwork(string Name, string CliName, Func<nn.Module<Tensor, Tensor>> CreateModule, Func<string, Action<ReadOnlyMemory<float>, Memory<float>, int>> LoadInference, int Classes)
{
    public static readonly IReadOnlyList<SampleNetwork> All = new SampleNetwork[]
    {
        new("DefaultNet", "default", () => new DefaultNet(), path => DefaultNetInference.Load(path).PredictBatch, DefaultNetInference.Classes),
        new("SmallNet", "small", () => new SmallNet(), path => SmallNetInference.Load(path).PredictBatch, SmallNetInference.Classes),
        new("Seed001Model1", "seed001-1", () => new Seed001Model1(), path => Seed001Model1Inference.Load(path).PredictBatch, Seed001Model1Inference.Classes),
        new("Seed001Model2", "seed001-2", () => new Seed001Model2(), path => Seed001Model2Inference.Load(path).PredictBatch, Seed001Model2Inference.Classes),
        new("Seed002Net", "seed002", () => new Seed002Net(), path => Seed002NetInference.Load(path).PredictBatch, Seed002NetInference.Classes),
        new("Seed004Net", "seed004", () => new Seed004Net(), path => Seed004NetInference.Load(path).PredictBatch, Seed004NetInference.Classes),
    };

    public static IEnumerable<object[]> Names() => All.Select(n => new object[] { n.Name });

    public static SampleNetwork Named(string name) => All.Single(n => n.Name == name);

    /// <summary>
    /// The module initialised from <paramref name="seed"/>, with BatchNorm's affine parameters and running statistics
    /// drawn away from their initial 1/0 (else folding them would be a no-op and the test could not see it wrong),
    /// in eval mode.
    /// </summary>
    public nn.Module<Tensor, Tensor> CreateRandomised(long seed)
    {
        manual_seed(seed);
        var module = CreateModule();
        using (no_grad())
        {
            foreach (var (name, parameter) in module.named_parameters())
                if (IsBatchNorm(module, name) && name.EndsWith(".weight", StringComparison.Ordinal)) parameter.uniform_(0.5, 1.5);
                else if (IsBatchNorm(module, name) && name.EndsWith(".bias", StringComparison.Ordinal)) parameter.uniform_(-0.5, 0.5);
            foreach (var (name, buffer) in module.named_buffers())
                if (name.EndsWith(".running_mean", StringComparison.Ordinal)) buffer.uniform_(-0.5, 0.5);
                else if (name.EndsWith(".running_var", StringComparison.Ordinal)) buffer.uniform_(0.5, 2.0);
        }
        module.eval();
        return module;
    }

    private static bool IsBatchNorm(nn.Module module, string name) => name.StartsWith("bn", StringComparison.Ordinal);
}
