using System;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>[C, H, W] to [C·H·W], in PyTorch's order.</summary>
public sealed record Flatten(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.Flatten;

    public override bool IsFunctional => Functional;

    public override string MemberStem => "flatten";

    internal override LayerStep? Step(LayerChecks check)
    {
        var input = check.Input;
        if (!input.IsFlat && !input.IsPointMap) check.PendingFlattenSpan = Math.Max(input.Height, input.Width);
        return LayerStep.Keep(Shape.Flat(checked((int)input.Elements)));
    }

    public override LayerCall TorchModule(Shape input) => new("nn.Flatten");

    public override LayerCall? TorchFunctional => LayerCall.OnInputTensor("flatten", CallArgument.Of(1));

    public override LayerCall EngineCall(LayerReport report, string? member) => new("Flatten");

    public override string Describe(Shape input) => "Flatten";
}
