namespace Mnist.Dsl;

/// <summary>Flattens [C, H, W] to [C·H·W].</summary>
public sealed class FlattenAttribute : StatelessLayerAttribute;
