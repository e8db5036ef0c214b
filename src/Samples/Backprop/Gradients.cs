namespace Backprop;

/// <summary>∂E_total/∂w1 .. ∂E_total/∂w8.</summary>
public sealed record Gradients(double DW1, double DW2, double DW3, double DW4, double DW5, double DW6, double DW7, double DW8)
{
    public double[] ToArray() => new[] { DW1, DW2, DW3, DW4, DW5, DW6, DW7, DW8 };
}
