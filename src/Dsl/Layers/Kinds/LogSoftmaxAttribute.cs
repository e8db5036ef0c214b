namespace Mnist.Dsl;

/// <summary>Log-probabilities over the classes (pairs with nll_loss).</summary>
public sealed class LogSoftmaxAttribute : StatelessLayerAttribute;
