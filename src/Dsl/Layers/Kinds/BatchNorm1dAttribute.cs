using Mnist.Dsl.Layers;

namespace Mnist.Dsl;

/// <summary>Batch normalisation over a [features] vector.</summary>
public sealed class BatchNorm1dAttribute : LayerAttribute
{
    public double Momentum { get; set; } = LayerDefaults.BatchNormMomentum;
    public double Eps { get; set; } = LayerDefaults.BatchNormEps;
}
