using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>Batch normalisation over channels of a [C, H, W] map.</summary>
public sealed class BatchNorm2dAttribute : LayerAttribute
{
    public double Momentum { get; set; } = LayerDefaults.BatchNormMomentum;
    public double Eps { get; set; } = LayerDefaults.BatchNormEps;
}
