using System;
using System.Collections.Generic;

namespace Backprop;

/// <summary>
/// The seed sheet's columns in its order (t1, t2, i1, i2, w1..w4, h1, a_h1, h2, a_h2, w5..w8, o1, a_o1,
/// o2, a_o2, E1, E2, E_total, ∂E/∂w1..∂E/∂w8), after an iteration column. One list, so the CSV and the
/// workbook cannot disagree on names or order.
/// </summary>
public static class SheetColumns
{
    public sealed record Column(string Name, Func<Iteration, double> Value);

    public static IReadOnlyList<Column> All { get; } = new Column[]
    {
        new("iteration", r => r.Number),
        new("t1", r => r.Example.T1), new("t2", r => r.Example.T2),
        new("i1", r => r.Example.I1), new("i2", r => r.Example.I2),
        new("w1", r => r.Weights.W1), new("w2", r => r.Weights.W2), new("w3", r => r.Weights.W3), new("w4", r => r.Weights.W4),
        new("h1", r => r.Forward.H1), new("a_h1", r => r.Forward.AH1), new("h2", r => r.Forward.H2), new("a_h2", r => r.Forward.AH2),
        new("w5", r => r.Weights.W5), new("w6", r => r.Weights.W6), new("w7", r => r.Weights.W7), new("w8", r => r.Weights.W8),
        new("o1", r => r.Forward.O1), new("a_o1", r => r.Forward.AO1), new("o2", r => r.Forward.O2), new("a_o2", r => r.Forward.AO2),
        new("E1", r => r.Forward.E1), new("E2", r => r.Forward.E2), new("E_total", r => r.Forward.ETotal),
        new("dE/dw1", r => r.Gradients.DW1), new("dE/dw2", r => r.Gradients.DW2),
        new("dE/dw3", r => r.Gradients.DW3), new("dE/dw4", r => r.Gradients.DW4),
        new("dE/dw5", r => r.Gradients.DW5), new("dE/dw6", r => r.Gradients.DW6),
        new("dE/dw7", r => r.Gradients.DW7), new("dE/dw8", r => r.Gradients.DW8),
    };

    public static int IndexOf(string name)
    {
        for (var i = 0; i < All.Count; i++)
            if (All[i].Name == name) return i;
        throw new ArgumentException($"No sheet column is called {name}.", nameof(name));
    }
}
