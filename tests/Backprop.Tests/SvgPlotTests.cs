using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace Backprop.Tests;

public sealed class SvgPlotTests : IDisposable
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "backprop-svg-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void The_svg_parses_and_has_one_line_per_learning_rate()
    {
        var trajectories = LearningRateSweep.Run(SweepSettings.Default, checkAutograd: false);
        var path = Path.Combine(_folder, "backprop.svg");
        SvgPlot.Write(path, trajectories);

        var svg = XDocument.Load(path);
        var lines = svg.Descendants(Svg + "polyline").Concat(svg.Descendants(Svg + "path")).ToList();

        Assert.Equal(Svg + "svg", svg.Root!.Name);
        Assert.Equal(SweepSettings.SeedLearningRates.Count, lines.Count);
        Assert.Equal(SweepSettings.SeedLearningRates.Select(lr => "η = " + lr.ToString("R", CultureInfo.InvariantCulture)),
            lines.Select(l => (string?)l.Attribute("data-series")));
        Assert.Equal(SweepSettings.SeedLearningRates.Count, lines.Select(l => (string?)l.Attribute("stroke")).Distinct().Count());
        var texts = svg.Descendants(Svg + "text").Select(t => t.Value).ToList();
        Assert.Contains("iteration", texts);
        Assert.Contains(texts, t => t.StartsWith("E_total", StringComparison.Ordinal));
        Assert.All(SweepSettings.SeedLearningRates, lr => Assert.Contains($"η = {lr.ToString("R", CultureInfo.InvariantCulture)}", texts));
        Assert.Equal(new[] { "backprop.svg" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    /// <summary>Each line has a point per iteration, left to right, and lower errors are drawn lower (SVG y grows downwards).</summary>
    [Fact]
    public void Each_line_follows_its_errors()
    {
        var trajectories = LearningRateSweep.Run(SweepSettings.Default, checkAutograd: false);
        var svg = XDocument.Parse(SvgPlot.Render(trajectories));
        var lines = svg.Descendants(Svg + "polyline").ToList();
        var ends = new List<(double FirstY, double LastY, double LastError)>();

        for (var i = 0; i < trajectories.Count; i++)
        {
            var points = ((string)lines[i].Attribute("points")!).Split(' ')
                .Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
            var errors = trajectories[i].Iterations.Select(r => r.Forward.ETotal).ToList();

            Assert.Equal(errors.Count, points.Count);
            for (var k = 1; k < points.Count; k++)
            {
                Assert.True(points[k][0] > points[k - 1][0]);
                // Coordinates are rounded to 0.01 px, so a tiny change may draw flat, but never the wrong way.
                var drawn = Math.Sign(points[k][1] - points[k - 1][1]);
                Assert.True(drawn == 0 || drawn == Math.Sign(errors[k - 1] - errors[k]), $"η {trajectories[i].LearningRate}, iteration {k + 1}");
            }
            ends.Add((points[0][1], points[^1][1], errors[^1]));
        }

        // Every run starts from the same error; the run that ends lowest is drawn lowest.
        Assert.Single(ends.Select(e => e.FirstY).Distinct());
        Assert.Equal(ends.OrderBy(e => e.LastError).Select(e => e.LastY), ends.OrderByDescending(e => e.LastY).Select(e => e.LastY));
    }
}
