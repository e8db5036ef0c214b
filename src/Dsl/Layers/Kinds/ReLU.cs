using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

public sealed record ReLU(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.ReLU;

    public override bool IsFunctional => Functional;

    public override string MemberStem => "relu";

    internal override LayerStep? Step(LayerChecks check) => LayerStep.Keep(check.Input);

    public override LayerCall TorchModule(Shape input) => new("nn.ReLU");

    public override LayerCall? TorchFunctional => new("nn.functional.relu", CallArgument.Input);

    public override LayerCall EngineCall(LayerReport report, string? member) => new("ReLU");

    public override string Describe(Shape input) => "ReLU";
}
