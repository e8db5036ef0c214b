using System;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// ITrainer's resume contract: a new trainer with the same seed, given the parameters, buffers, num_batches_tracked,
/// optimizer state, Steps and the optimizer's own step count of a stopped one, continues with the same bits as the
/// uninterrupted run (dropout on, as declared: its masks are keyed by seed and Steps).
/// </summary>
public sealed class ResumeTests
{
    private const int Batch = 16;
    private static readonly float[] Images = TestData.Normal(1100, Batch * 784);
    private static readonly int[] Labels = TestData.Labels(1101, Batch, 10);

    private static ITrainer Create(IOptimizer optimizer, ulong seed = 3) =>
        SampleNetworkCase.Registry.Find("default").CreateTrainer(new TrainerOptions(Batch, 2, seed, optimizer));

    [Theory]
    [InlineData("sgd")]
    [InlineData("adam")]
    public void A_resumed_trainer_continues_with_the_same_bits(string optimizer)
    {
        IOptimizer New() => optimizer == "adam" ? new Adam(0.01) : new Sgd(0.05, 0.9) { Nesterov = true, WeightDecay = 1e-3 };
        using var straight = Create(New());
        for (int i = 0; i < 5; i++) straight.Step(Images, Labels);

        using var first = Create(New());
        for (int i = 0; i < 3; i++) first.Step(Images, Labels);
        // The same seed (it keys the dropout masks with Steps); the fresh trainer's weights are the initial ones,
        // three steps away from the checkpoint's.
        var optimizerState = New();
        using var resumed = Create(optimizerState);
        first.Parameters.CopyTo(resumed.Parameters);
        resumed.ParametersChanged();
        foreach (var name in first.BufferNames) first.Buffer(name).CopyTo(resumed.Buffer(name));
        for (int k = 0; k < first.Optimizer.StateBuffers; k++) first.OptimizerState(k).CopyTo(resumed.OptimizerState(k));
        resumed.BatchesTracked = first.BatchesTracked;
        resumed.Steps = first.Steps;
        // The optimizer's own step count: Adam's bias correction, SGD's "first step" (momentum buffer starts then).
        switch (optimizerState)
        {
            case Adam adam: adam.Steps = ((Adam)first.Optimizer).Steps; break;
            case Sgd sgd: sgd.Steps = ((Sgd)first.Optimizer).Steps; break;
        }
        for (int i = 0; i < 2; i++) resumed.Step(Images, Labels);

        Assert.Equal(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
        foreach (var name in straight.BufferNames) Assert.Equal(straight.Buffer(name).ToArray(), resumed.Buffer(name).ToArray());
        Assert.Equal(straight.BatchesTracked, resumed.BatchesTracked);
    }

    [Fact]
    public void Without_Steps_the_dropout_masks_differ()
    {
        // Without this, the test above would pass even if Steps did not key the masks.
        using var straight = Create(new Sgd(0.05, 0.9));
        for (int i = 0; i < 4; i++) straight.Step(Images, Labels);
        using var first = Create(new Sgd(0.05, 0.9));
        for (int i = 0; i < 2; i++) first.Step(Images, Labels);
        var sgd = new Sgd(0.05, 0.9);
        using var resumed = Create(sgd);
        first.Parameters.CopyTo(resumed.Parameters);
        resumed.ParametersChanged();
        foreach (var name in first.BufferNames) first.Buffer(name).CopyTo(resumed.Buffer(name));
        first.OptimizerState(0).CopyTo(resumed.OptimizerState(0));
        sgd.Steps = 2;
        for (int i = 0; i < 2; i++) resumed.Step(Images, Labels);

        Assert.NotEqual(straight.Parameters.ToArray(), resumed.Parameters.ToArray());
    }
}
