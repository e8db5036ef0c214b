using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Log-probabilities over dimension 1: a vector's features, or a map's channels at each pixel.</summary>
public sealed record LogSoftmax(bool Functional = LayerDefaults.Functional) : Layer
{
    public override LayerKind Kind => LayerKind.LogSoftmax;

    public override bool IsFunctional => Functional;

    public override string MemberStem => "log_softmax";

    internal override LayerStep? Step(LayerChecks check) => LayerStep.Keep(check.Input);

    public override LayerCall TorchModule(Shape input) => new("nn.LogSoftmax", CallArgument.Of(1));

    public override LayerCall? TorchFunctional => new("nn.functional.log_softmax", CallArgument.Input, CallArgument.Of(1));

    public override LayerCall EngineCall(LayerReport report, string? member) => new("LogSoftmax");

    public override string Describe(Shape input) => "LogSoftmax";
}
