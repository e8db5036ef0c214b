using System;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Global average pooling, implemented as AdaptiveAvgPool2d(1): for the receptive field a k = n, s = n layer over an n×n map.</summary>
public sealed record GlobalAvgPool2d(bool Functional = LayerDefaults.Functional) : StatelessLayer(Functional)
{
    public override string ModuleName => "AdaptiveAvgPool2d";

    public override LayerKind Kind => LayerKind.GlobalAvgPool2d;

    public override LayerForm Form => LayerForm.GlobalAvgPool;

    public override string MemberStem => "gap";

    internal override LayerStep? Step(LayerChecks check)
    {
        if (!check.NeedsMap()) return null;
        var side = Math.Max(check.Input.Height, check.Input.Width);
        return new LayerStep(Shape.Map(check.Input.Channels, 1, 1), 0, side, side, 0);
    }

    public override LayerCall TorchModule(Shape input) => new("nn.AdaptiveAvgPool2d", CallArgument.Of(1));

    public override LayerCall? TorchFunctional => new("nn.functional.adaptive_avg_pool2d", CallArgument.Input, CallArgument.Of(1));

    public override string Describe(Shape input) => "global average pooling";
}
