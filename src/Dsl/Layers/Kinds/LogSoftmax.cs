using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Log-probabilities over dimension 1: a vector's features, or a map's channels at each pixel.</summary>
public sealed record LogSoftmax(bool Functional = LayerDefaults.Functional) : StatelessLayer(Functional)
{
    public override LayerKind Kind => LayerKind.LogSoftmax;

    public override LayerForm Form => LayerForm.LogSoftmax;

    public override string MemberStem => "log_softmax";

    public override LayerCall TorchModule(Shape input) => new("nn.LogSoftmax", CallArgument.Of(1));

    public override LayerCall? TorchFunctional => new("nn.functional.log_softmax", CallArgument.Input, CallArgument.Of(1));
}
