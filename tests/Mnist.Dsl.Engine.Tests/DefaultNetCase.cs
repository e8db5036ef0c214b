using System;
using System.Collections.Generic;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// Two SGD (or Adam) steps of the hand-composed DefaultNet trainer from a known state, for PyTorch to repeat on
/// tests/python/sample_networks.py's DefaultNet. Dropout is 0 on both sides (the two generators cannot agree);
/// the BatchNorm running statistics start far from (0, 1) so that using or updating them wrongly shows.
/// </summary>
internal static class DefaultNetCase
{
    public const string Name = "net/default";
    public const string AdamName = "net/default-adam";
    public const double AdamLearningRate = 0.01;
    // Three chunks of the trainer (8, 8 and a partial 4), so that two threads share the work and sums cross chunks.
    public const int Batch = 20;
    public const int Steps = 2;
    public const double LearningRate = 0.05;
    public const double Momentum = 0.9;
    public const long Tracked = 5;
    public const ulong Seed = 7;

    public static readonly float[] Images = TestData.Normal(900, Batch * 784);
    public static readonly int[] Labels = TestData.Labels(901, Batch, 10);

    public static DefaultNetTrainer<TV, TOps> Create<TV, TOps>(int threads, bool adam = false)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        IOptimizer optimizer = adam ? new Adam(AdamLearningRate) : new Sgd(LearningRate, Momentum);
        var trainer = new DefaultNetTrainer<TV, TOps>(Batch, threads, Seed, optimizer, dropout: 0);
        for (int i = 0; i < trainer.BatchNormNames.Count; i++)
        {
            TestData.Uniform(910 + i, trainer.RunningMean(i).Length, -0.5, 0.5).CopyTo(trainer.RunningMean(i));
            TestData.Uniform(920 + i, trainer.RunningVar(i).Length, 0.5, 2).CopyTo(trainer.RunningVar(i));
            // Gammas and betas away from 1 and 0 too.
            TestData.Uniform(930 + i, trainer.RunningVar(i).Length, 0.5, 1.5).CopyTo(trainer.Parameter(trainer.BatchNormNames[i] + ".weight"));
            TestData.Uniform(940 + i, trainer.RunningVar(i).Length, -0.5, 0.5).CopyTo(trainer.Parameter(trainer.BatchNormNames[i] + ".bias"));
        }
        trainer.SetBatchesTracked(Tracked);
        return trainer;
    }

    public static Dictionary<string, object> Request(bool adam = false)
    {
        using var trainer = Create<float, VecScalar>(1);
        var state = new Dictionary<string, float[]>();
        foreach (var (name, _, _) in trainer.Layout.Entries) state[name] = trainer.Parameter(name).ToArray();
        for (int i = 0; i < trainer.BatchNormNames.Count; i++)
        {
            state[trainer.BatchNormNames[i] + ".running_mean"] = trainer.RunningMean(i).ToArray();
            state[trainer.BatchNormNames[i] + ".running_var"] = trainer.RunningVar(i).ToArray();
        }
        return new()
        {
            ["kind"] = "default_net", ["state"] = state, ["tracked"] = Tracked, ["momentum"] = Momentum,
            ["optimizer"] = adam ? "adam" : "sgd", ["lr"] = adam ? AdamLearningRate : LearningRate,
            ["steps"] = adam ? 1 : Steps, ["x"] = Images, ["x_shape"] = new[] { Batch, 1, 28, 28 }, ["labels"] = Labels,
        };
    }
}
