using System;
using System.Linq;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The fused Conv2d + ReLU + BatchNorm2d unit in every form the lowering now gives it (bias or not, stride, padding,
/// 1x1 / 3x3 / 5x5 kernels, the ReLU before or after the BatchNorm, Dropout or Dropout2d) against the general units
/// (Conv2d, ReLU, BatchNorm2d, Dropout / Dropout2d), the reference: the same network both ways, the same seed, three SGD
/// steps with dropout on (the masks are keyed alike), then loss, gradients, parameters, running statistics and the
/// evaluation output compared. They sum in a different order (the fused statistics per image in float, about the bias),
/// so within 1e-4 of each tensor's rms, not bit for bit. And the fused unit's bits depend on the seed only: not on the
/// run, nor on the thread count.
/// </summary>
public sealed class FusedBlockTests
{
    private const int Batch = 16, Size = 12, Channels = 2;
    private static readonly float[] Images = TestData.Normal(31, Batch * Channels * Size * Size);
    private static readonly int[] Labels = TestData.Labels(32, Batch, 10);

    public static TheoryData<bool, bool, int, int, int, double, bool> Blocks() => new()
    {
        // reluAfterBatchNorm, bias, kernel, stride, padding, dropout, channelDropout
        { false, true, 5, 1, 2, 0, false },
        { false, true, 3, 2, 1, 0.2, false },
        { false, false, 3, 3, 0, 0.25, true },
        { true, true, 3, 1, 0, 0.3, true },
        { true, false, 1, 1, 0, 0, false },
        { true, true, 5, 2, 0, 0.1, false },
        { true, true, 1, 1, 2, 0, false },
    };

    [Theory]
    [MemberData(nameof(Blocks))]
    public void The_fused_block_trains_as_the_general_units_do(bool reluAfter, bool bias, int kernel, int stride, int padding, double dropout, bool channelDropout)
    {
        using var fused = Network(true, reluAfter, bias, kernel, stride, padding, dropout, channelDropout).Create(Options(2));
        using var general = Network(false, reluAfter, bias, kernel, stride, padding, dropout, channelDropout).Create(Options(2));

        Assert.Equal(general.Layout.Entries, fused.Layout.Entries);
        Assert.Equal(general.BufferNames, fused.BufferNames);
        Assert.Equal(general.Parameters.ToArray(), fused.Parameters.ToArray());
        for (int step = 1; step <= 3; step++)
        {
            float expected = general.Step(Images, Labels), actual = fused.Step(Images, Labels);
            Assert.True(Math.Abs(expected - actual) <= 1e-5 * (1 + Math.Abs(expected)), $"step {step}: loss {actual}, general units {expected}");
            Tolerance.AssertClose(general.Gradients, fused.Gradients, 1e-4, $"step {step}: gradients", Tolerance.Rms(general.Gradients));
            Tolerance.AssertClose(general.Parameters, fused.Parameters, 1e-4, $"step {step}: parameters", Tolerance.Rms(general.Parameters));
            foreach (var name in general.BufferNames)
                Tolerance.AssertClose(general.Buffer(name), fused.Buffer(name), 1e-4, $"step {step}: {name}", Tolerance.Rms(general.Buffer(name)));
        }
        general.Evaluate(Images);
        fused.Evaluate(Images);
        Tolerance.AssertClose(general.LogProbabilities, fused.LogProbabilities, 1e-4, "evaluation", Tolerance.Rms(general.LogProbabilities));
    }

    [Theory]
    [MemberData(nameof(Blocks))]
    public void The_fused_blocks_bits_depend_on_the_seed_only(bool reluAfter, bool bias, int kernel, int stride, int padding, double dropout, bool channelDropout)
    {
        var blueprint = Network(true, reluAfter, bias, kernel, stride, padding, dropout, channelDropout);
        using var first = blueprint.Create(Options(2));
        using var again = blueprint.Create(Options(2));
        using var single = blueprint.Create(Options(1));
        for (int step = 1; step <= 2; step++)
        {
            float loss = first.Step(Images, Labels);
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(again.Step(Images, Labels)));
            Assert.Equal(BitConverter.SingleToInt32Bits(loss), BitConverter.SingleToInt32Bits(single.Step(Images, Labels)));
            Assert.Equal(first.Gradients.ToArray(), again.Gradients.ToArray());
            Assert.Equal(first.Gradients.ToArray(), single.Gradients.ToArray());
            Assert.Equal(first.Parameters.ToArray(), single.Parameters.ToArray());
        }
    }

    private static TrainerOptions Options(int threads) => new(Batch, threads, 5, new Sgd(0.05, 0.9), SimdWidths.Best());

    /// <summary>A plain Conv2d first (so the block's input gradient is used), the block, then a pooled linear head.</summary>
    private static TrainerBlueprint Network(bool fused, bool reluAfter, bool bias, int kernel, int stride, int padding, double dropout, bool channelDropout)
    {
        var blueprint = new TrainerBlueprint("Blocks", Channels, Size, Size, 10).Conv2d("conv1", Channels, 3, 3, 1, 1, true);
        if (fused)
            blueprint = reluAfter
                ? blueprint.ConvBatchNormRelu2d("conv2", "bn1", 3, 6, kernel, padding, 0.1, 1e-5, dropout, stride, bias, channelDropout)
                : blueprint.ConvReluBatchNorm2d("conv2", "bn1", 3, 6, kernel, padding, 0.1, 1e-5, dropout, stride, bias, channelDropout);
        else
        {
            blueprint = blueprint.Conv2d("conv2", 3, 6, kernel, stride, padding, bias);
            blueprint = reluAfter ? blueprint.BatchNorm2d("bn1", 0.1, 1e-5).ReLU() : blueprint.ReLU().BatchNorm2d("bn1", 0.1, 1e-5);
            if (dropout > 0) blueprint = channelDropout ? blueprint.Dropout2d(dropout) : blueprint.Dropout(dropout);
        }
        return blueprint.GlobalAvgPool2d().Linear("fc1", 6, 10, true).LogSoftmaxNllLoss();
    }
}
