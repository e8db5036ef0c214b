namespace Backprop;

/// <summary>Every intermediate value of the forward pass, named as in the seed (a_ = after the sigmoid).</summary>
public sealed record ForwardPass(
    double H1, double AH1, double H2, double AH2,
    double O1, double AO1, double O2, double AO2,
    double E1, double E2)
{
    public double ETotal => E1 + E2;
}
