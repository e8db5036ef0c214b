namespace Mnist.Dsl;

public sealed class ReLUAttribute : StatelessLayerAttribute;
