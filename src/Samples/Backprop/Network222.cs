using System;

namespace Backprop;

/// <summary>
/// The seed's 2-2-2 network in plain doubles: sigmoid hidden and output layers, no biases,
/// E_total = E1 + E2 with E_k = ½(t_k − a_o_k)². The gradients are the seed's hand derivation, term by
/// term, so that autograd (see <see cref="AutogradCheck"/>) can tell whether the derivation is right.
/// </summary>
public static class Network222
{
    public static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    public static ForwardPass Forward(Example x, Weights w)
    {
        var h1 = x.I1 * w.W1 + x.I2 * w.W2;
        var h2 = x.I1 * w.W3 + x.I2 * w.W4;
        var ah1 = Sigmoid(h1);
        var ah2 = Sigmoid(h2);
        var o1 = ah1 * w.W5 + ah2 * w.W6;
        var o2 = ah1 * w.W7 + ah2 * w.W8;
        var ao1 = Sigmoid(o1);
        var ao2 = Sigmoid(o2);
        var e1 = 0.5 * (x.T1 - ao1) * (x.T1 - ao1);
        var e2 = 0.5 * (x.T2 - ao2) * (x.T2 - ao2);
        return new ForwardPass(h1, ah1, h2, ah2, o1, ao1, o2, ao2, e1, e2);
    }

    public static Gradients Backward(Example x, Weights w, ForwardPass f)
    {
        // Output layer: ∂E1/∂a_o1 = a_o1 − t1 and dσ(o1)/do1 = a_o1(1 − a_o1); E2 does not depend on o1.
        var deltaO1 = (f.AO1 - x.T1) * f.AO1 * (1 - f.AO1);
        var deltaO2 = (f.AO2 - x.T2) * f.AO2 * (1 - f.AO2);

        // do1/dw5 = a_h1, do1/dw6 = a_h2, do2/dw7 = a_h1, do2/dw8 = a_h2.
        var dw5 = deltaO1 * f.AH1;
        var dw6 = deltaO1 * f.AH2;
        var dw7 = deltaO2 * f.AH1;
        var dw8 = deltaO2 * f.AH2;

        // Each hidden activation reaches E_total through both outputs, so both paths add up:
        // ∂E_total/∂a_h1 = δo1·w5 + δo2·w7, ∂E_total/∂a_h2 = δo1·w6 + δo2·w8.
        var dEdAh1 = deltaO1 * w.W5 + deltaO2 * w.W7;
        var dEdAh2 = deltaO1 * w.W6 + deltaO2 * w.W8;

        // Then through a_h = σ(h) and h1 = i1·w1 + i2·w2, h2 = i1·w3 + i2·w4.
        var dw1 = dEdAh1 * f.AH1 * (1 - f.AH1) * x.I1;
        var dw2 = dEdAh1 * f.AH1 * (1 - f.AH1) * x.I2;
        var dw3 = dEdAh2 * f.AH2 * (1 - f.AH2) * x.I1;
        var dw4 = dEdAh2 * f.AH2 * (1 - f.AH2) * x.I2;
        return new Gradients(dw1, dw2, dw3, dw4, dw5, dw6, dw7, dw8);
    }
}
