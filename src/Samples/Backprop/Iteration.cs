namespace Backprop;

/// <summary>One row of the seed's sheet: the weights going in, the forward pass and the gradients at them.</summary>
public sealed record Iteration(int Number, double LearningRate, Example Example, Weights Weights, ForwardPass Forward, Gradients Gradients);
