using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Lowering;
using Xunit;

namespace Mnist.Dsl.Tests.Lowering;

/// <summary>
/// The fusion and refusal rules of the one lowering the generator and the run time share: which layers become the
/// fused Conv → ReLU → BatchNorm2d (→ Dropout) unit, which stay units of their own, where the final LogSoftmax goes,
/// and the reason a network gets no trainer.
/// </summary>
public class EngineLoweringTests
{
    private static EngineLowering Lower(params Layer[] layers) =>
        EngineLowering.Of(new NetworkDefinition("Net", 1, 12, 12, layers, requires: RequiredLayers.None));

    [Fact]
    public void Conv_relu_batchnorm_and_dropout_fuse_into_one_unit_with_the_member_names_of_the_module()
    {
        var lowering = Lower(new Conv2d(4, 3, Bias: false), new ReLU(), new BatchNorm2d(Momentum: 0.2), new Dropout(0.1),
            new Conv2d(6, 3, Bias: false), new ReLU(), new BatchNorm2d(), new Dropout(0),
            new GlobalAvgPool2d(), new Linear(10), new LogSoftmax());

        Assert.Null(lowering.Unsupported);
        Assert.True(lowering.EndsInLogSoftmax);
        Assert.Equal(new[] { LayerKind.Conv2d, LayerKind.Conv2d, LayerKind.GlobalAvgPool2d, LayerKind.Linear }, lowering.Steps.Select(s => s.Kind));
        var first = lowering.Steps[0];
        Assert.Equal(("conv1", "bn1", 0.1), (first.Member, first.BatchNormMember, first.Dropout));
        Assert.Equal(0.2, ((BatchNorm2d)first.BatchNorm!.Layer).Momentum);
        // A Dropout(0) after the block is part of it (p 0: no mask), not a unit of its own.
        Assert.Equal(("conv2", "bn2", 0.0), (lowering.Steps[1].Member, lowering.Steps[1].BatchNormMember, lowering.Steps[1].Dropout));
        Assert.Equal("fc1", lowering.Steps[3].Member);
    }

    [Fact]
    public void A_bias_a_stride_or_a_missing_relu_keeps_each_layer_a_unit_and_a_logits_head_gets_no_logsoftmax()
    {
        var lowering = Lower(new Conv2d(4, 3), new ReLU(), new BatchNorm2d(),
            new Conv2d(6, 3, Stride: 2, Bias: false), new ReLU(), new BatchNorm2d(),
            new Conv2d(6, 1, Bias: false), new BatchNorm2d(), new LogSoftmax(),
            new Flatten(), new Linear(10));

        Assert.Null(lowering.Unsupported);
        Assert.False(lowering.EndsInLogSoftmax);
        Assert.All(lowering.Steps, s => Assert.False(s.IsFused));
        Assert.Equal(11, lowering.Steps.Count); // a LogSoftmax before the end is a unit of its own
        Assert.Equal(LayerKind.LogSoftmax, lowering.Steps[8].Kind);
    }

    [Fact]
    public void A_grouped_convolution_before_relu_and_batchnorm_stays_a_unit_of_its_own()
    {
        // The fused block has no grouped convolution: a depthwise (or grouped) Conv2d is the engine's grouped Conv2d unit.
        var lowering = Lower(new Conv2d(4, 3, Bias: false), new Conv2d(4, 3, Bias: false, Groups: 4), new ReLU(), new BatchNorm2d(),
            new Conv2d(8, 1, Bias: false, Groups: 2), new ReLU(), new BatchNorm2d(), new Conv2d(8, 1, Bias: false), new ReLU(), new BatchNorm2d(),
            new GlobalAvgPool2d(), new Linear(10));

        Assert.Null(lowering.Unsupported);
        Assert.Equal(new[] { false, false, false, false, false, false, false, true, false, false }, lowering.Steps.Select(s => s.IsFused));
        Assert.Equal(new[] { 1, 4, 2, 1 }, lowering.Steps.Where(s => s.Kind == LayerKind.Conv2d).Select(s => ((Conv2d)s.Layer.Layer).Groups));
    }

    [Fact]
    public void A_max_pooling_window_over_256_taps_is_refused_naming_the_layer()
    {
        var lowering = EngineLowering.Of(new NetworkDefinition("WidePool", 1, 28, 28,
            new Layer[] { new Conv2d(10, 3), new MaxPool2d(17), new GlobalAvgPool2d(), new Linear(10), new LogSoftmax() }, requires: RequiredLayers.None));

        Assert.Equal("WidePool's layer 2 is MaxPool2d(17): the engine's max pooling handles windows of up to 256 taps (16x16); use a smaller kernel or AvgPool2d",
            lowering.Unsupported);
        Assert.Empty(lowering.Steps);
        Assert.Null(Lower(new Conv2d(4, 3), new MaxPool2d(10), new Flatten(), new Linear(10)).Unsupported); // 100 taps
    }

    [Fact]
    public void A_definition_that_breaks_a_rule_is_refused_with_the_analyzers_first_error()
    {
        var lowering = Lower(new Conv2d(8, 3), new Linear(10));

        Assert.NotNull(lowering.Unsupported);
        Assert.StartsWith("Linear (layer 2 of Net) gets the map", lowering.Unsupported);
    }
}
