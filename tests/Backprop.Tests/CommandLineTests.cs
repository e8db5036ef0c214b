using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Xunit;

namespace Backprop.Tests;

/// <summary>The sample as a user runs it: options parsed, files written, exit codes.</summary>
public sealed class CommandLineTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "backprop-cli-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Options_reach_the_run_and_the_outputs_are_written()
    {
        var (exit, output, error) = Run("--iterations", "5", "--lr", "0.5", "3", "--t1", "0.01", "--t2", "0.99", "--w5", "0.7", "--output", _folder);

        Assert.True(exit == 0, output + error);
        Assert.Equal(new[] { "backprop.csv", "backprop.svg", "backprop.xlsx" }, Directory.GetFiles(_folder).Select(Path.GetFileName).OrderBy(n => n));
        var expected = LearningRateSweep.Train(new Example(T1: 0.01, T2: 0.99), Weights.Default with { W5 = 0.7 }, 3, 5);
        var lines = File.ReadAllLines(Path.Combine(_folder, "backprop.csv"));
        Assert.Equal(1 + 2 * 5, lines.Length);
        var header = lines[0].Split(',');
        var last = lines[^1].Split(',');
        Assert.Equal(3.0, double.Parse(last[0], CultureInfo.InvariantCulture));
        Assert.Equal(expected[^1].Forward.ETotal, double.Parse(last[Array.IndexOf(header, "E_total")], CultureInfo.InvariantCulture));
        Assert.Contains("agree with libtorch autograd", output);
    }

    [Theory]
    [InlineData("--iterations", "0")]
    [InlineData("--lr", "-1")]
    [InlineData("--lr", "0.5", "0.5")]
    public void Bad_settings_are_one_line_and_exit_code_2(params string[] arguments)
    {
        var (exit, _, error) = Run(arguments.Append("--output").Append(_folder).ToArray());

        Assert.Equal(2, exit);
        Assert.StartsWith("error: ", error);
        Assert.False(Directory.Exists(_folder));
    }

    private static (int Exit, string Output, string Error) Run(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Backprop.dll"));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output.Result, error);
    }
}
