using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>Zeroes whole channels with probability p while training.</summary>
public sealed class Dropout2dAttribute : StatelessLayerAttribute
{
    public Dropout2dAttribute(double p = LayerDefaults.DropoutProbability) => P = p;

    public double P { get; }
}
