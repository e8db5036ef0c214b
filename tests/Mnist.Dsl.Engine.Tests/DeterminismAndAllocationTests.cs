using System;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Same seed gives the same bits, whatever the thread count (reductions in chunk order, dropout masks from a counter hash);
/// a step allocates nothing once warm. Dropout on (0.05, as declared), batch 16.
/// </summary>
public sealed class DeterminismAndAllocationTests
{
    private const int Batch = 16;
    private static readonly float[] Images = TestData.Normal(1000, Batch * 784);
    private static readonly int[] Labels = TestData.Labels(1001, Batch, 10);

    // The default network's generated trainer, its dropout as declared.
    private static ITrainer Create(int threads, ulong seed) =>
        SampleNetworkCase.Registry.Find("default").CreateTrainer(new TrainerOptions(Batch, threads, seed, new Sgd(0.05, 0.9)));

    private static float[] Train(int threads, ulong seed, int steps)
    {
        using var trainer = Create(threads, seed);
        for (int i = 0; i < steps; i++) trainer.Step(Images, Labels);
        trainer.Evaluate(Images);
        return trainer.LogProbabilities.ToArray();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Same_seed_and_threads_give_identical_bits(int threads)
    {
        var first = Train(threads, 11, 4);
        var second = Train(threads, 11, 4);
        Assert.Equal(first, second);
        // And the seed matters (initial weights, dropout masks): otherwise the check above would prove little.
        Assert.NotEqual(first, Train(threads, 12, 4));
    }

    [Fact]
    public void The_thread_count_does_not_change_the_bits()
    {
        // Sums are per chunk of images and reduced in chunk order, whichever thread ran which chunk.
        var one = Train(1, 21, 3);
        Assert.Equal(one, Train(2, 21, 3));
        Assert.Equal(one, Train(3, 21, 3));
    }

    /// <summary>Depthwise (its own kernels, wide and strided) and grouped convolutions, composed at run time, with and without bias.</summary>
    private static readonly Mnist.Dsl.Analysis.NetworkDefinition Separable = new("Separable", 1, 28, 28,
    [
        new Mnist.Dsl.Layers.Conv2d(8, 3, Bias: false), new Mnist.Dsl.Layers.ReLU(), new Mnist.Dsl.Layers.BatchNorm2d(),
        new Mnist.Dsl.Layers.Conv2d(8, 3, Padding: 1, Groups: 8), new Mnist.Dsl.Layers.Conv2d(16, 1, Bias: false), new Mnist.Dsl.Layers.ReLU(),
        new Mnist.Dsl.Layers.BatchNorm2d(), new Mnist.Dsl.Layers.Dropout(0.05), new Mnist.Dsl.Layers.Conv2d(16, 3, Stride: 2, Bias: false, Groups: 16),
        new Mnist.Dsl.Layers.Conv2d(16, 3, Groups: 4), new Mnist.Dsl.Layers.GlobalAvgPool2d(), new Mnist.Dsl.Layers.Linear(10),
    ]);

    [Fact]
    public void Grouped_and_depthwise_convolutions_give_the_same_bits_for_a_seed_whatever_the_thread_count()
    {
        float[] Separate(int threads, ulong seed)
        {
            using var trainer = Mnist.Dsl.Engine.Composition.TrainerBlueprint.For(Separable).Create(new TrainerOptions(Batch, threads, seed, new Sgd(0.05, 0.9)));
            for (int i = 0; i < 3; i++) trainer.Step(Images, Labels);
            trainer.Evaluate(Images);
            return trainer.LogProbabilities.ToArray();
        }
        var one = Separate(1, 31);
        Assert.Equal(one, Separate(1, 31));
        Assert.Equal(one, Separate(2, 31));
        Assert.Equal(one, Separate(3, 31));
        Assert.NotEqual(one, Separate(1, 32));
    }

    [Fact]
    public void A_step_allocates_nothing_on_any_thread()
    {
        using var trainer = Create(2, 3);
        for (int i = 0; i < 3; i++) trainer.Step(Images, Labels);
        long caller = trainer.WorkerAllocatedBytes(0), worker = trainer.WorkerAllocatedBytes(1);
        for (int i = 0; i < 10; i++) trainer.Step(Images, Labels);
        trainer.Evaluate(Images);
        Assert.Equal(0, trainer.WorkerAllocatedBytes(0) - caller);
        Assert.Equal(0, trainer.WorkerAllocatedBytes(1) - worker);
    }

    [Fact]
    public void The_worker_allocation_counter_sees_an_allocation()
    {
        // Without this, a counter that never moved would make the test above pass vacuously.
        using var team = new Mnist.Dsl.Engine.Parallel.WorkerTeam(2);
        team.Run(_ => { });
        long before = team.AllocatedBytes(1);
        team.Run(member => { if (member == 1) GC.KeepAlive(new byte[10_000]); });
        Assert.InRange(team.AllocatedBytes(1) - before, 10_000, 1_000_000);
    }

}
