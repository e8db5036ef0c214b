using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Tests;

public sealed class CsvReportTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "backprop-csv-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void One_row_per_iteration_per_learning_rate_with_exact_values()
    {
        var trajectories = LearningRateSweep.Run(SweepSettings.Default with { Iterations = 7 }, checkAutograd: false);
        var path = Path.Combine(_folder, "backprop.csv");
        CsvReport.Write(path, trajectories);

        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        Assert.Equal("learning_rate", header[0]);
        Assert.Equal(new[] { "E_total", "dE/dw1" }, header.SkipWhile(h => h != "E_total").Take(2));
        Assert.Equal(1 + 6 * 7, lines.Length);

        var rows = trajectories.SelectMany(t => t.Iterations).ToList();
        for (var r = 0; r < rows.Count; r++)
        {
            var fields = lines[r + 1].Split(',').Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            Assert.Equal(rows[r].LearningRate, fields[0]);
            Assert.Equal(rows[r].Number, fields[Array.IndexOf(header, "iteration")]);
            Assert.Equal(rows[r].Forward.ETotal, fields[Array.IndexOf(header, "E_total")]);
            Assert.Equal(rows[r].Weights.W8, fields[Array.IndexOf(header, "w8")]);
            Assert.Equal(rows[r].Gradients.DW3, fields[Array.IndexOf(header, "dE/dw3")]);
        }
    }
}
