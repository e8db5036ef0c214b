using System;
using System.Linq;
using Xunit;

namespace Mnist.Models.Tests;

/// <summary>
/// The comparisons of SamplesMatchPyTorchTests would pass vacuously if a network were missing, if eval mode
/// computed what train mode does, or if the step left the running statistics alone. These tests rule that out.
/// </summary>
public class ParityIsMeaningfulTests
{
    [Fact]
    public void Every_network_of_Mnist_Models_is_compared()
    {
        Assert.Equal(SampleModels.DeclaredInAssembly().Order(StringComparer.Ordinal), SampleModels.Create.Keys);
        Assert.Equal(SampleModels.Create.Keys, ParityRun.Value.PyTorch.Keys.Order(StringComparer.Ordinal));
    }

    /// <summary>The running statistics given to BatchNorm make eval mode compute something else than train mode.</summary>
    [Theory]
    [MemberData(nameof(SampleModels.Names), MemberType = typeof(SampleModels))]
    public void Eval_mode_differs_from_train_mode(string network)
    {
        var run = ParityRun.Value.PyTorch[network];
        Assert.True(ParityAssert.MaxDifference(run.Logits, run.TrainOutput) > 1e-2,
            $"{network}: eval-mode and train-mode outputs agree to 1e-2, so the eval comparison would not show running statistics being ignored");
    }

    /// <summary>PyTorch's SGD step changed the logits, so loading its stepped weights is not loading the ones we sent.</summary>
    [Theory]
    [MemberData(nameof(SampleModels.Names), MemberType = typeof(SampleModels))]
    public void The_stepped_weights_give_other_logits(string network)
    {
        var run = ParityRun.Value.PyTorch[network];
        Assert.True(ParityAssert.MaxDifference(run.Logits, run.SteppedLogits!) > 1e-3,
            $"{network}: the logits after PyTorch's SGD step agree with the ones before to 1e-3, so the weights file comparison would not show the old weights kept");
    }

    /// <summary>The step moved every running mean and variance and counted one more batch.</summary>
    [Theory]
    [MemberData(nameof(SampleModels.Names), MemberType = typeof(SampleModels))]
    public void The_step_updated_the_running_statistics(string network)
    {
        var before = ParityRun.Value.InitialState[network];
        var after = ParityRun.Value.PyTorch[network].BuffersAfterStep;
        foreach (var (key, buffer) in after)
        {
            if (key.EndsWith(".num_batches_tracked", StringComparison.Ordinal))
                Assert.Equal(ParityRun.BatchesTrackedBefore + 1, buffer.Values.Single());
            else
                Assert.True(ParityAssert.MaxDifference(before[key], buffer) > 1e-4, $"{network}: {key} did not move in the training step");
        }
    }

    /// <summary>Every parameter got a gradient that is not all zeros, so its comparison says something.</summary>
    [Theory]
    [MemberData(nameof(SampleModels.Names), MemberType = typeof(SampleModels))]
    public void Every_gradient_is_nonzero(string network)
    {
        foreach (var (key, gradient) in ParityRun.Value.Ours[network].Gradients)
            Assert.True(gradient.Values.Any(v => v != 0), $"{network}: the gradient of {key} is all zeros");
    }
}
