using System;
using System.Linq;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Every sample network's generated trainer against PyTorch (its twin in tests/python/sample_networks.py) from the same
/// state: train-mode log-probabilities and loss, every parameter's gradient (to 1e-4 of the network's largest), then
/// parameters, running statistics and num_batches_tracked after two steps of SGD with momentum, SGD nesterov with weight
/// decay and Adam, and the evaluation-mode output; on one and two threads at every vector width.
/// </summary>
public sealed class SampleNetworkTrainerTests
{
    public static TheoryData<string, SimdWidth, int> Configurations()
    {
        var data = new TheoryData<string, SimdWidth, int>();
        foreach (var network in SampleNetworkCase.Networks)
            foreach (var w in Widths.Accelerated())
            {
                data.Add(network, w, 1);
                data.Add(network, w, 2);
            }
        return data;
    }

    public static TheoryData<string, string> OptimizerCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var network in SampleNetworkCase.Networks)
            foreach (var optimizer in SampleNetworkCase.Optimizers.Skip(1)) data.Add(network, optimizer);
        return data;
    }

    [Fact]
    public void Every_sample_network_has_a_generated_trainer()
    {
        Assert.Equal(6, SampleNetworkCase.Registry.Count);
        foreach (var network in SampleNetworkCase.Networks) Assert.True(SampleNetworkCase.Registry.Find(network).HasTrainer, network);
    }

    [Theory]
    [MemberData(nameof(Configurations))]
    public void Two_SGD_steps_match_pytorch(string network, SimdWidth width, int threads) =>
        Check(network, "sgd", SampleNetworkCase.Create(network, threads, width));

    [Theory]
    [MemberData(nameof(OptimizerCases))]
    public void Two_steps_of_other_optimizers_match_pytorch(string network, string optimizer) =>
        Check(network, optimizer, SampleNetworkCase.Create(network, 2, SimdWidths.Best(), optimizer));

    private static void Check(string network, string optimizer, ITrainer trainer)
    {
        using var _ = trainer;
        var caseName = SampleNetworkCase.CaseName(network, optimizer);
        var expected = PyTorchReference.Answer(caseName);
        float loss = trainer.Step(SampleNetworkCase.Images, SampleNetworkCase.Labels);
        Tolerance.AssertClose(expected["loss"], [loss], 1e-5, $"{network}: loss");
        Tolerance.AssertClose(expected["logp"], trainer.LogProbabilities, 1e-5, $"{network}: log-probabilities");
        // Within 1e-4 of the network's largest gradient: sums in another order differ relative to their terms, and
        // a gradient near zero is a sum that cancels.
        double largest = trainer.Layout.Entries.Max(e => expected["grad:" + e.Name].Max(MathF.Abs));
        foreach (var (name, _, _) in trainer.Layout.Entries)
            Tolerance.AssertWithin(expected["grad:" + name], SampleNetworkCase.Gradient(trainer, name), 1e-4 * largest, $"{network}: gradient of {name}");

        for (int step = 1; step < SampleNetworkCase.Steps; step++) trainer.Step(SampleNetworkCase.Images, SampleNetworkCase.Labels);
        foreach (var (name, _, _) in trainer.Layout.Entries)
            Tolerance.AssertClose(expected["state:" + name], SampleNetworkCase.Parameter(trainer, name), ParameterTolerance(optimizer),
                $"{network}: {name} after {SampleNetworkCase.Steps} {optimizer} steps");
        foreach (var name in trainer.BufferNames)
            Tolerance.AssertClose(expected["state:" + name], trainer.Buffer(name), 1e-5, $"{network}: {name}");
        if (expected.TryGetValue("tracked", out var tracked)) Assert.Equal(tracked[0], trainer.BatchesTracked);

        trainer.Evaluate(SampleNetworkCase.Images);
        Tolerance.AssertClose(expected["eval"], trainer.LogProbabilities, 1e-5, $"{network}: evaluation log-probabilities");
    }

    private static double ParameterTolerance(string optimizer) => 1e-5;

    [Fact]
    public void Parameters_written_between_steps_are_used_after_ParametersChanged()
    {
        using var source = SampleNetworkCase.Create("default", 1, SimdWidth.Scalar);
        using var target = RegisteredNetworkTrainers.CreateTrainer(SampleNetworkCase.Registry.Find("default"), 
            new TrainerOptions(SampleNetworkCase.Batch, 1, 99, new Optim.Sgd(0.1, 0.9), SimdWidth.Scalar) { DropoutOverride = 0 });
        source.Step(SampleNetworkCase.Images, SampleNetworkCase.Labels);
        target.Step(SampleNetworkCase.Images, SampleNetworkCase.Labels);
        source.Parameters.CopyTo(target.Parameters);
        foreach (var name in source.BufferNames) source.Buffer(name).CopyTo(target.Buffer(name));
        source.Evaluate(SampleNetworkCase.Images);
        var expected = source.LogProbabilities.ToArray();
        target.Evaluate(SampleNetworkCase.Images);
        Assert.NotEqual(expected, target.LogProbabilities.ToArray());
        target.ParametersChanged();
        target.Evaluate(SampleNetworkCase.Images);
        Assert.Equal(expected, target.LogProbabilities.ToArray());
    }
}
