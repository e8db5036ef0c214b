using System;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>[C, H, W] to [C·H·W], in PyTorch's order.</summary>
public sealed record Flatten(bool Functional = LayerDefaults.Functional) : StatelessLayer(Functional)
{
    public override LayerKind Kind => LayerKind.Flatten;

    public override LayerForm Form => LayerForm.Flatten;

    public override string MemberStem => "flatten";

    /// <summary>An n×n map flattened is seen by the next Linear as one n×n window (the receptive field's view of it).</summary>
    internal override LayerStep? Step(LayerChecks check)
    {
        var input = check.Input;
        if (!input.IsFlat && !input.IsPointMap) check.PendingFlattenSpan = Math.Max(input.Height, input.Width);
        return LayerStep.Keep(Shape.Flat(checked((int)input.Elements)));
    }

    public override LayerCall? TorchFunctional => LayerCall.OnInputTensor("flatten", CallArgument.Of(1));
}
