namespace Mnist.Dsl;

/// <summary>Global average pooling: each channel of the map averaged to one value (AdaptiveAvgPool2d(1)).</summary>
public sealed class GlobalAvgPool2dAttribute : StatelessLayerAttribute;
