using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Registry;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Steps of a sample network's generated trainer from a known state, for PyTorch to repeat on its twin in
/// tests/python/sample_networks.py. The networks are src/Samples/Mnist.Models' declarations compiled into this test
/// assembly (the generator emits their trainers here, with no TorchSharp). Dropout is 0 on both sides (the two
/// generators cannot agree); BatchNorm's running statistics, gammas and betas start away from (0, 1, 1, 0) so that
/// using or updating them wrongly shows.
/// </summary>
internal static class SampleNetworkCase
{
    // Three chunks of the trainer (8, 8 and a partial 4), so that two threads share the work and sums cross chunks.
    public const int Batch = 20;
    public const int Steps = 2;
    public const long Tracked = 5;
    public const ulong Seed = 7;

    public static readonly float[] Images = TestData.Normal(900, Batch * 784);
    public static readonly int[] Labels = TestData.Labels(901, Batch, 10);

    public static readonly NetworkRegistry Registry = NetworkRegistry.Of(typeof(SampleNetworkCase).Assembly);

    /// <summary>Every sample network's registry name.</summary>
    public static IEnumerable<string> Networks => Enumerable.Range(0, Registry.Count).Select(i => Registry[i].Name);

    /// <summary>The optimizers the parity cases run: SGD with momentum, SGD nesterov with weight decay, Adam.</summary>
    public static readonly string[] Optimizers = ["sgd", "nesterov", "adam"];

    public static string CaseName(string network, string optimizer) => $"net/{network}/{optimizer}";

    public static IOptimizer Optimizer(string kind) => kind switch
    {
        "sgd" => new Sgd(0.05, 0.9),
        "nesterov" => new Sgd(0.05, 0.9) { Nesterov = true, WeightDecay = 0.01 },
        "adam" => new Adam(0.01),
        _ => throw new ArgumentException($"no optimizer case {kind}"),
    };

    public static ITrainer Create(string network, int threads, SimdWidth width, string optimizer = "sgd")
    {
        var trainer = Registry.Find(network).CreateTrainer(new TrainerOptions(Batch, threads, Seed, Optimizer(optimizer), width) { DropoutOverride = 0 });
        int k = 0;
        foreach (var buffer in trainer.BufferNames)
        {
            var values = trainer.Buffer(buffer);
            bool mean = buffer.EndsWith(".running_mean", StringComparison.Ordinal);
            (mean ? TestData.Uniform(910 + k, values.Length, -0.5, 0.5) : TestData.Uniform(920 + k, values.Length, 0.5, 2)).CopyTo(values);
            if (mean)
            {
                // Gammas and betas away from 1 and 0 too.
                string prefix = buffer[..^".running_mean".Length];
                TestData.Uniform(930 + k, values.Length, 0.5, 1.5).CopyTo(Parameter(trainer, prefix + ".weight"));
                TestData.Uniform(940 + k, values.Length, -0.5, 0.5).CopyTo(Parameter(trainer, prefix + ".bias"));
            }
            k++;
        }
        trainer.BatchesTracked = Tracked;
        trainer.ParametersChanged();
        return trainer;
    }

    public static Span<float> Parameter(ITrainer trainer, string name)
    {
        var (offset, count) = trainer.Layout[name];
        return trainer.Parameters.Slice(offset, count);
    }

    public static ReadOnlySpan<float> Gradient(ITrainer trainer, string name)
    {
        var (offset, count) = trainer.Layout[name];
        return trainer.Gradients.Slice(offset, count);
    }

    public static Dictionary<string, object> Request(string network, string optimizer)
    {
        using var trainer = Create(network, 1, SimdWidth.Scalar, optimizer);
        var state = new Dictionary<string, float[]>();
        foreach (var (name, _, _) in trainer.Layout.Entries) state[name] = Parameter(trainer, name).ToArray();
        foreach (var name in trainer.BufferNames) state[name] = trainer.Buffer(name).ToArray();
        return new()
        {
            ["kind"] = "sample_net", ["network"] = network, ["state"] = state, ["keys"] = state.Keys.ToArray(), ["tracked"] = Tracked,
            ["optimizer"] = optimizer, ["steps"] = Steps, ["x"] = Images, ["x_shape"] = new[] { Batch, 1, 28, 28 }, ["labels"] = Labels,
        };
    }
}
