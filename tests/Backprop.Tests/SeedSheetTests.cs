using System;
using Xunit;

namespace Backprop.Tests;

/// <summary>
/// The numbers of the assignment's Excel sheet. Seed 001 shows that sheet only as screenshots; the values
/// below are its first row and its 68th-row errors as transcribed, to the 9 decimals the sheet prints, in
/// public write-ups of the same assignment (same inputs, targets and starting weights).
/// </summary>
public class SeedSheetTests
{
    private const double NineDecimals = 5e-10 + 1e-15; // half a unit in the last printed place

    [Fact]
    public void Forward_pass_of_the_defaults_reproduces_the_sheets_first_row()
    {
        var f = Network222.Forward(Example.Default, Weights.Default);

        Assert.Equal(0.0275, f.H1, NineDecimals);
        Assert.Equal(0.506874567, f.AH1, NineDecimals);
        Assert.Equal(0.0425, f.H2, NineDecimals);
        Assert.Equal(0.510623401, f.AH2, NineDecimals);
        Assert.Equal(0.432530357, f.O1, NineDecimals);
        Assert.Equal(0.606477732, f.AO1, NineDecimals);
        Assert.Equal(0.534280154, f.O2, NineDecimals);
        Assert.Equal(0.630480835, f.AO2, NineDecimals);
        Assert.Equal(0.005668754, f.E1, NineDecimals);
        Assert.Equal(0.008512624, f.E2, NineDecimals);
        Assert.Equal(0.014181378, f.ETotal, NineDecimals);
    }

    [Fact]
    public void Gradients_of_the_defaults_reproduce_the_sheets_first_row_where_the_sheet_follows_the_derivation()
    {
        var g = Network222.Backward(Example.Default, Weights.Default, Network222.Forward(Example.Default, Weights.Default));

        Assert.Equal(0.000316993, g.DW1, NineDecimals);
        Assert.Equal(0.000633987, g.DW2, NineDecimals);
        Assert.Equal(0.012880819, g.DW5, NineDecimals);
        Assert.Equal(0.012976085, g.DW6, NineDecimals);
        Assert.Equal(0.015408348, g.DW7, NineDecimals);
        Assert.Equal(0.015522308, g.DW8, NineDecimals);
    }

    /// <summary>
    /// The transcribed sheet prints ∂E/∂w3 = 0.000351869 and ∂E/∂w4 = 0.000703737: those are the seed's
    /// formulas with a_h1·(1 − a_h1) where the seed's derivation (and the chain rule) says a_h2·(1 − a_h2).
    /// This sample follows the derivation; autograd sides with it (see AutogradTests).
    /// </summary>
    [Fact]
    public void The_sheets_w3_and_w4_gradients_are_the_derivation_with_a_h1_in_place_of_a_h2()
    {
        var x = Example.Default;
        var w = Weights.Default;
        var f = Network222.Forward(x, w);
        var g = Network222.Backward(x, w, f);
        var dEdAh2 = (f.AO1 - x.T1) * f.AO1 * (1 - f.AO1) * w.W6 + (f.AO2 - x.T2) * f.AO2 * (1 - f.AO2) * w.W8;

        Assert.Equal(0.000351869, dEdAh2 * f.AH1 * (1 - f.AH1) * x.I1, NineDecimals);
        Assert.Equal(0.000703737, dEdAh2 * f.AH1 * (1 - f.AH1) * x.I2, NineDecimals);
        Assert.Equal(0.000351776, g.DW3, NineDecimals);
        Assert.Equal(0.000703553, g.DW4, NineDecimals);
    }

    /// <summary>
    /// E_total in the sheet's 68th row per learning rate. The sheet's w3/w4 slip moves these by up to
    /// 7e-10, so they are compared to 1e-9 (eight decimals and a bit); a wrong gradient or update moves
    /// them by orders of magnitude more.
    /// </summary>
    [Theory]
    [InlineData(0.1, 0.009572139)]
    [InlineData(0.2, 0.006369969)]
    [InlineData(0.5, 0.001782022)]
    [InlineData(0.8, 0.000478649)]
    [InlineData(1.0, 0.000196838)]
    [InlineData(2.0, 2.09236521683586E-06)]
    public void Error_after_68_iterations_matches_the_sheet(double learningRate, double sheetError)
    {
        var rows = LearningRateSweep.Train(Example.Default, Weights.Default, learningRate, 68);

        Assert.Equal(68, rows[^1].Number);
        Assert.Equal(sheetError, rows[^1].Forward.ETotal, 1e-9);
    }

    [Fact]
    public void Row_k_holds_the_weights_after_k_minus_1_updates()
    {
        var rows = LearningRateSweep.Train(Example.Default, Weights.Default, 1.0, 3);

        Assert.Equal(Weights.Default, rows[0].Weights);
        // The sheet's second row at η = 1: w1 = 0.15 − 1·0.000316993... = 0.149683007.
        Assert.Equal(0.149683007, rows[1].Weights.W1, NineDecimals);
        for (var k = 1; k < rows.Count; k++)
        {
            var previous = rows[k - 1].Weights.ToArray();
            var gradient = rows[k - 1].Gradients.ToArray();
            var current = rows[k].Weights.ToArray();
            for (var j = 0; j < 8; j++) Assert.Equal(previous[j] - 1.0 * gradient[j], current[j]);
        }
    }
}
