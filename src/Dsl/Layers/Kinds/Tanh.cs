namespace Mnist.Dsl.Layers;

/// <summary>tanh on every value (LeNet's activation; PyTorch's Tanh).</summary>
public sealed record Tanh(bool Functional = LayerDefaults.Functional) : ElementwiseLayer(Functional)
{
    public override LayerKind Kind => LayerKind.Tanh;

    public override string MemberStem => "tanh";

    public override LayerCall? TorchFunctional => new("nn.functional.tanh", CallArgument.Input);

    public override LayerCall InferenceKernel => new("TanhKernel.Apply");

    public override LayerCall OnnxNode => new("Tanh");
}
