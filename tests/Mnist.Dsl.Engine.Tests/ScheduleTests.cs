using System.Collections.Generic;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Tests.Reference;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>Learning rate (and OneCycleLR's momentum) over 20 steps against torch.optim.lr_scheduler, to 1e-5 relative.</summary>
public sealed class ScheduleTests
{
    [Fact]
    public void StepLR_matches_pytorch()
    {
        var s = new StepLR(0.1, 3, 0.5);
        var lrs = new List<float>();
        for (int i = 0; i < 20; i++)
        {
            lrs.Add((float)s.LearningRate);
            s.Step();
        }
        Tolerance.AssertClose(PyTorchReference.Answer("schedule/step")["lr"], lrs.ToArray(), 1e-5, "StepLR learning rate");
    }

    [Theory]
    [InlineData("schedule/onecycle", 0.3)]
    [InlineData("schedule/onecycle-warmup-0.15", 0.15)]
    public void OneCycleLR_matches_pytorch(string reference, double warmup)
    {
        var s = new OneCycleLR(0.05, 20, warmup);
        var lrs = new List<float>();
        var momenta = new List<float>();
        for (int i = 0; i < 20; i++)
        {
            lrs.Add((float)s.LearningRate);
            momenta.Add((float)s.Momentum);
            s.Step();
        }
        var expected = PyTorchReference.Answer(reference);
        Tolerance.AssertClose(expected["lr"], lrs.ToArray(), 1e-5, "OneCycleLR learning rate");
        Tolerance.AssertClose(expected["momentum"], momenta.ToArray(), 1e-5, "OneCycleLR momentum");
        Assert.Throws<System.InvalidOperationException>(s.Step);
    }

    [Fact]
    public void ReduceLROnPlateau_matches_pytorch()
    {
        var s = new ReduceLROnPlateau(0.1, factor: 0.5, patience: 2);
        var lrs = new List<float>();
        for (int i = 0; i < 20; i++)
        {
            lrs.Add((float)s.LearningRate);
            s.Step(ReferenceCases.Plateau[i]);
        }
        var expected = PyTorchReference.Answer("schedule/plateau")["lr"];
        Tolerance.AssertClose(expected, lrs.ToArray(), 1e-5, "ReduceLROnPlateau learning rate");
        Assert.True(expected[^1] < 0.1f / 4, "the metric sequence should make PyTorch reduce at least twice");
    }
}
