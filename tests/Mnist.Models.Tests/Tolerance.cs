using System;
using System.Globalization;

namespace Mnist.Models.Tests;

/// <summary>
/// |ours - PyTorch's| &lt;= Absolute + Relative * |PyTorch's|, element by element (numpy.isclose's rule).
/// Zero for both means bit-for-bit equality.
/// </summary>
internal readonly record struct Tolerance(double Absolute, double Relative)
{
    public static Tolerance Exact { get; } = new(0, 0);

    public double AllowedFor(double expected) => Absolute + Relative * Math.Abs(expected);

    public override string ToString() =>
        Absolute == 0 && Relative == 0
            ? "exact equality"
            : string.Create(CultureInfo.InvariantCulture, $"{Absolute:0.#E0} + {Relative:0.#E0} * |PyTorch's|");
}
