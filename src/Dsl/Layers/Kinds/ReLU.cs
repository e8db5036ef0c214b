namespace Mnist.Dsl.Layers;

public sealed record ReLU(bool Functional = LayerDefaults.Functional) : StatelessLayer(Functional)
{
    public override LayerKind Kind => LayerKind.ReLU;

    public override LayerForm Form => LayerForm.ReLU;

    public override string MemberStem => "relu";

    public override LayerCall? TorchFunctional => new("nn.functional.relu", CallArgument.Input);
}
