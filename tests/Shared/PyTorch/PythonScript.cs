using System;
using System.Diagnostics;
using System.IO;

namespace Mnist.Tests.Shared;

/// <summary>
/// Runs Debian's python3 (/usr/bin/python3, which has python3-torch 1.13.1; the python3 on PATH may have no torch)
/// on one thread, as the PyTorch side of every parity test runs, and returns what it printed. A failure throws
/// with the script's error output and says what it needs.
/// </summary>
internal static class PythonScript
{
    public const string Python = "/usr/bin/python3";

    /// <summary>Runs python/<paramref name="script"/> of the test's output folder with <paramref name="args"/>.</summary>
    public static string Run(string script, params string[] args) => Run(script, timeout: null, args);

    /// <summary>As <see cref="Run(string, string[])"/>, killing the script when it runs longer than <paramref name="timeout"/>.</summary>
    public static string Run(string script, TimeSpan? timeout, params string[] args) =>
        RunPython(script, timeout, [Path.Combine(AppContext.BaseDirectory, "python", script), .. args]);

    /// <summary>Runs a one-line program (<c>python3 -c</c>); <paramref name="what"/> names it in errors.</summary>
    public static string RunCode(string what, string code) => RunPython(what, timeout: null, ["-c", code]);

    private static string RunPython(string what, TimeSpan? timeout, string[] arguments)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["OMP_NUM_THREADS"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(timeout ?? System.Threading.Timeout.InfiniteTimeSpan))
        {
            process.Kill();
            throw new TimeoutException($"{Python} {what} did not finish in {timeout}");
        }
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{Python} {what} failed (exit {process.ExitCode}); it needs Debian's python3-torch (./build.sh test installs it).\n{errors.Result}\n{output}");
        return output;
    }
}
