using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Plots;
using Mnist.Dsl.Training.Serialization;

namespace Backprop;

/// <summary>
/// One chart of E_total per iteration, one line per learning rate (the seed shows one graph per rate; one chart
/// makes them comparable), drawn by the samples' shared SVG chart.
/// </summary>
public static class SvgPlot
{
    public static void Write(string path, IReadOnlyList<Trajectory> trajectories) => AtomicFile.WriteAllText(path, Render(trajectories));

    public static string Render(IReadOnlyList<Trajectory> trajectories)
    {
        if (trajectories.Count == 0) throw new ArgumentException("Nothing to plot.", nameof(trajectories));
        var series = trajectories.Select(t => new Series(
            $"η = {t.LearningRate.ToString("R", CultureInfo.InvariantCulture)}",
            t.Iterations.Select((r, i) => ((double)(i + 1), r.Forward.ETotal)).ToArray())).ToArray();
        return SvgChart.Render(
            $"Backpropagation by hand: E_total per iteration at {trajectories.Count} learning rate{(trajectories.Count == 1 ? "" : "s")}",
            new[] { new Panel("Total error", "iteration", "E_total", series) },
            columns: 1, subtitle: Subtitle(trajectories[0].Iterations[0]), panelWidth: 900, panelHeight: 520);
    }

    private static string Subtitle(Iteration first)
    {
        var x = first.Example;
        var w = string.Join(", ", first.Weights.ToArray().Select(v => v.ToString("G6", CultureInfo.InvariantCulture)));
        return $"2-2-2 sigmoid network, no biases; i1 = {Short(x.I1)}, i2 = {Short(x.I2)}, t1 = {Short(x.T1)}, t2 = {Short(x.T2)}; w1..w8 = {w}";
    }

    private static string Short(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
