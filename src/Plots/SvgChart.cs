using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Text;

namespace Mnist.Plots;

/// <summary>
/// Renders panels of line charts into one SVG document: a grid of panels, each with its axes, ticks, grid
/// lines, labels and a legend under the plot area (so it never covers a line).
/// </summary>
public static class SvgChart
{
    private const int TitleHeight = 40, SubtitleHeight = 18;
    private const int Left = 70, Right = 20, Top = 34, Bottom = 56, LegendRow = 18;
    private static readonly string[] Colors = { "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf" };

    /// <summary>The document: a title (and subtitle) over the panels, <paramref name="columns"/> to a row.</summary>
    public static string Render(string title, IReadOnlyList<Panel> panels, int columns = 2, string? subtitle = null, int panelWidth = 480,
        int panelHeight = 340)
    {
        columns = Math.Max(1, Math.Min(columns, panels.Count));
        var rows = (panels.Count + columns - 1) / columns;
        var legendRows = panels.Count == 0 ? 0 : panels.Max(p => LegendRows(p));
        var cellHeight = panelHeight + legendRows * LegendRow;
        var width = columns * panelWidth;
        var top = TitleHeight + (subtitle is null ? 0 : SubtitleHeight);
        var height = top + rows * cellHeight;

        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" "))
            .Append("font-family=\"DejaVu Sans, Arial, sans-serif\" font-size=\"12\">\n");
        svg.Append(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>\n"));
        svg.Append(Invariant(
            $"<text x=\"{width / 2}\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">{Escape(title)}</text>\n"));
        if (subtitle is not null)
            svg.Append(Invariant(
                $"<text x=\"{width / 2}\" y=\"{TitleHeight + 8}\" text-anchor=\"middle\" fill=\"#444\">{Escape(subtitle)}</text>\n"));
        for (var i = 0; i < panels.Count; i++)
            RenderPanel(svg, panels[i], (i % columns) * panelWidth, top + (i / columns) * cellHeight, panelWidth, panelHeight);
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static int LegendRows(Panel panel) => (panel.Series.Count + 2) / 3;

    private static void RenderPanel(StringBuilder svg, Panel panel, double x0, double y0, int panelWidth, int panelHeight)
    {
        double plotLeft = x0 + Left, plotRight = x0 + panelWidth - Right, plotTop = y0 + Top, plotBottom = y0 + panelHeight - Bottom;
        var points = panel.Series.SelectMany(s => s.Points).Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).ToList();
        var (xMin, xMax, xStep) = points.Count == 0 ? (0, 1, 0.2) : Ticks.Nice(points.Min(p => p.X), points.Max(p => p.X));
        var (yMin, yMax, yStep) = points.Count == 0 ? (0, 1, 0.2) : Ticks.Nice(points.Min(p => p.Y), points.Max(p => p.Y));
        double X(double v) => plotLeft + (v - xMin) / (xMax - xMin) * (plotRight - plotLeft);
        double Y(double v) => plotBottom - (v - yMin) / (yMax - yMin) * (plotBottom - plotTop);

        svg.Append(Invariant(
            $"<text x=\"{(plotLeft + plotRight) / 2}\" y=\"{y0 + 20}\" text-anchor=\"middle\" font-size=\"14\">{Escape(panel.Title)}</text>\n"));
        foreach (var t in Ticks.Between(yMin, yMax, yStep))
        {
            svg.Append(Invariant($"<line x1=\"{plotLeft}\" y1=\"{Y(t):0.##}\" x2=\"{plotRight}\" y2=\"{Y(t):0.##}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Invariant($"<text x=\"{plotLeft - 6}\" y=\"{Y(t) + 4:0.##}\" text-anchor=\"end\">{Label(t, yStep)}</text>\n"));
        }
        foreach (var t in Ticks.Between(xMin, xMax, xStep))
        {
            svg.Append(Invariant($"<line x1=\"{X(t):0.##}\" y1=\"{plotTop}\" x2=\"{X(t):0.##}\" y2=\"{plotBottom}\" stroke=\"#f0f0f0\"/>\n"));
            svg.Append(Invariant($"<text x=\"{X(t):0.##}\" y=\"{plotBottom + 16}\" text-anchor=\"middle\">{Label(t, xStep)}</text>\n"));
        }
        svg.Append(Invariant($"<rect x=\"{plotLeft}\" y=\"{plotTop}\" width=\"{plotRight - plotLeft}\" height=\"{plotBottom - plotTop}\" "))
            .Append("fill=\"none\" stroke=\"#333\"/>\n");
        svg.Append(Invariant(
            $"<text x=\"{(plotLeft + plotRight) / 2}\" y=\"{plotBottom + 36}\" text-anchor=\"middle\">{Escape(panel.XLabel)}</text>\n"));
        svg.Append(Invariant($"<text transform=\"translate({x0 + 16} {(plotTop + plotBottom) / 2}) rotate(-90)\" "))
            .Append(Invariant($"text-anchor=\"middle\">{Escape(panel.YLabel)}</text>\n"));

        for (var i = 0; i < panel.Series.Count; i++)
        {
            var series = panel.Series[i];
            var color = Colors[i % Colors.Length];
            var path = string.Join(" ",
                series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)).Select(p => Invariant($"{X(p.X):0.##},{Y(p.Y):0.##}")));
            svg.Append(Invariant(
                $"<polyline data-series=\"{Escape(series.Name)}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" points=\"{path}\"/>\n"));
            if (series.Points.Count <= 30)
                foreach (var p in series.Points.Where(p => double.IsFinite(p.X) && double.IsFinite(p.Y)))
                    svg.Append(Invariant($"<circle cx=\"{X(p.X):0.##}\" cy=\"{Y(p.Y):0.##}\" r=\"2.5\" fill=\"{color}\"/>\n"));
            var lx = x0 + Left + (i % 3) * 135;
            var ly = y0 + panelHeight - 8 + (i / 3) * LegendRow;
            svg.Append(Invariant($"<line x1=\"{lx}\" y1=\"{ly - 4}\" x2=\"{lx + 22}\" y2=\"{ly - 4}\" stroke=\"{color}\" stroke-width=\"2\"/>\n"));
            svg.Append(Invariant($"<text x=\"{lx + 28}\" y=\"{ly}\">{Escape(series.Name)}</text>\n"));
        }
    }

    /// <summary>A tick label with as many decimals as the step needs.</summary>
    private static string Label(double value, double step)
    {
        var decimals = Math.Max(0, (int)Math.Ceiling(-Math.Log10(step) - 1e-9));
        return Math.Round(value, decimals).ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
