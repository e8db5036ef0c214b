using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>Zeroes activations with probability p while training.</summary>
public sealed class DropoutAttribute : StatelessLayerAttribute
{
    public DropoutAttribute(double p = LayerDefaults.DropoutProbability) => P = p;

    public double P { get; }
}
