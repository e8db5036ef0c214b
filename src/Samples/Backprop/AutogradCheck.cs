using System;
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Backprop;

/// <summary>What libtorch autograd says at one step: E_total, the weights it was evaluated at and ∂E_total/∂w.</summary>
public sealed record AutogradStep(double ETotal, Weights Weights, Gradients Gradients);

/// <summary>
/// The same 2-2-2 network built from libtorch float64 tensors, its gradients taken by autograd
/// (<c>backward()</c>), not by the seed's formulas. Autograd runs its own gradient-descent trajectory, so a
/// wrong hand derivation shows as a gradient mismatch at the first step and a wrong update as a weight
/// mismatch at the second. Float64, because float32 rounding (~1e-8 relative) would hide errors the
/// 1e-9 comparison is meant to catch.
/// </summary>
public static class AutogradCheck
{
    /// <summary>E_total and its gradient at one point.</summary>
    public static AutogradStep Evaluate(Example x, Weights w)
    {
        using var scope = NewDisposeScope();
        var leaves = Leaves(w);
        return Evaluate(x, leaves);
    }

    /// <summary>Gradient descent on libtorch tensors: w ← w − η·w.grad under no_grad, as torch.optim.SGD does.</summary>
    public static IReadOnlyList<AutogradStep> Train(Example x, Weights initial, double learningRate, int iterations)
    {
        using var scope = NewDisposeScope();
        var leaves = Leaves(initial);
        var steps = new List<AutogradStep>(iterations);
        for (var i = 0; i < iterations; i++)
        {
            using (NewDisposeScope())
            {
                steps.Add(Evaluate(x, leaves));
                using (no_grad())
                {
                    foreach (var w in leaves)
                    {
                        w.add_(w.grad!, -learningRate);
                        // backward() accumulates into .grad; clear it so the next step sees only its own gradient.
                        w.grad = null;
                    }
                }
            }
        }
        return steps;
    }

    /// <summary>
    /// The largest |hand − autograd| over E_total, the weights and the eight gradients of every step.
    /// NaN anywhere makes it NaN, so a broken run cannot pass as a match.
    /// </summary>
    public static double MaxDeviation(IReadOnlyList<Iteration> hand, IReadOnlyList<AutogradStep> autograd)
    {
        if (hand.Count != autograd.Count) throw new ArgumentException($"{hand.Count} hand steps against {autograd.Count} autograd steps.");
        var max = 0.0;
        for (var i = 0; i < hand.Count; i++)
        {
            max = Max(max, Math.Abs(hand[i].Forward.ETotal - autograd[i].ETotal));
            max = Max(max, MaxAbsDifference(hand[i].Weights.ToArray(), autograd[i].Weights.ToArray()));
            max = Max(max, MaxAbsDifference(hand[i].Gradients.ToArray(), autograd[i].Gradients.ToArray()));
        }
        return max;
    }

    private static double MaxAbsDifference(double[] a, double[] b)
    {
        var max = 0.0;
        for (var i = 0; i < a.Length; i++) max = Max(max, Math.Abs(a[i] - b[i]));
        return max;
    }

    private static double Max(double a, double b) => double.IsNaN(a) || double.IsNaN(b) ? double.NaN : Math.Max(a, b);

    private static Tensor[] Leaves(Weights w) => Array.ConvertAll(w.ToArray(), v => Scalar(v).requires_grad_());

    private static Tensor Scalar(double value) => tensor(value, float64);

    private static AutogradStep Evaluate(Example x, Tensor[] w)
    {
        // The network exactly as the seed writes it; only the operations are libtorch's.
        var h1 = w[0] * x.I1 + w[1] * x.I2;
        var h2 = w[2] * x.I1 + w[3] * x.I2;
        var ah1 = h1.sigmoid();
        var ah2 = h2.sigmoid();
        var o1 = ah1 * w[4] + ah2 * w[5];
        var o2 = ah1 * w[6] + ah2 * w[7];
        var ao1 = o1.sigmoid();
        var ao2 = o2.sigmoid();
        var e1 = (x.T1 - ao1).pow(2) * 0.5;
        var e2 = (x.T2 - ao2).pow(2) * 0.5;
        var eTotal = e1 + e2;
        eTotal.backward();
        var weights = Weights.FromArray(Array.ConvertAll(w, t => t.item<double>()));
        var grads = Array.ConvertAll(w, t => t.grad?.item<double>()
            ?? throw new InvalidOperationException("autograd left a weight without a gradient."));
        return new AutogradStep(eTotal.item<double>(), weights,
            new Gradients(grads[0], grads[1], grads[2], grads[3], grads[4], grads[5], grads[6], grads[7]));
    }
}
