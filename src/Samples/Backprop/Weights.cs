using System;

namespace Backprop;

/// <summary>
/// w1..w8 of the 2-2-2 network without biases: w1..w4 feed the hidden layer (h1 = i1·w1 + i2·w2,
/// h2 = i1·w3 + i2·w4), w5..w8 the output layer (o1 = a_h1·w5 + a_h2·w6, o2 = a_h1·w7 + a_h2·w8).
/// The defaults are the seed sheet's starting weights.
/// </summary>
public sealed record Weights(
    double W1 = 0.15, double W2 = 0.2, double W3 = 0.25, double W4 = 0.3,
    double W5 = 0.4, double W6 = 0.45, double W7 = 0.5, double W8 = 0.55)
{
    public static Weights Default { get; } = new();

    public double[] ToArray() => new[] { W1, W2, W3, W4, W5, W6, W7, W8 };

    public static Weights FromArray(double[] w) =>
        w.Length == 8 ? new(w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7])
            : throw new ArgumentException($"The 2-2-2 network has 8 weights, not {w.Length}.", nameof(w));

    /// <summary>One step of plain gradient descent: w ← w − η·∂E_total/∂w, for every weight at once.</summary>
    public Weights Step(Gradients gradients, double learningRate) => new(
        W1 - learningRate * gradients.DW1, W2 - learningRate * gradients.DW2,
        W3 - learningRate * gradients.DW3, W4 - learningRate * gradients.DW4,
        W5 - learningRate * gradients.DW5, W6 - learningRate * gradients.DW6,
        W7 - learningRate * gradients.DW7, W8 - learningRate * gradients.DW8);
}
