using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>x where x &gt; 0, else negativeSlope · x (PyTorch's LeakyReLU, default slope 0.01).</summary>
public sealed class LeakyReLUAttribute : StatelessLayerAttribute
{
    public LeakyReLUAttribute(double negativeSlope = LeakyReLU.DefaultNegativeSlope) => NegativeSlope = negativeSlope;

    public double NegativeSlope { get; }
}
