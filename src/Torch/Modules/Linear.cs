using static Mnist.Torch.torch;

namespace Mnist.Torch.Modules;

/// <summary>Fully connected layer y = x Wᵀ + b. Weight [out, in]; initialised as PyTorch does.</summary>
public sealed class Linear : nn.Module<Tensor, Tensor>
{
    internal Linear(long inputSize, long outputSize, bool hasBias) : base(nameof(Linear))
    {
        if (inputSize <= 0 || outputSize <= 0)
            throw new System.ArgumentException($"Linear({inputSize}, {outputSize}): feature counts must be positive.");
        in_features = inputSize;
        out_features = outputSize;
        weight = Parameter.Take(empty(new[] { outputSize, inputSize }));
        register_parameter(nameof(weight), weight);
        if (hasBias)
        {
            bias = Parameter.Take(empty(new[] { outputSize }));
            register_parameter(nameof(bias), bias);
        }
        Initialization.ResetLinearLike(weight, bias, fanIn: inputSize);
    }

    public long in_features { get; }
    public long out_features { get; }
    public Parameter weight { get; }
    public Parameter? bias { get; }

    public override Tensor forward(Tensor input) => nn.functional.linear(input, weight, bias);
}
