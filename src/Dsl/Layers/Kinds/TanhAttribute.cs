namespace Mnist.Dsl;

/// <summary>tanh on every value (LeNet's activation).</summary>
public sealed class TanhAttribute : StatelessLayerAttribute;
