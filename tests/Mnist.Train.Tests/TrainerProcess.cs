using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Mnist.Train.Tests;

/// <summary>What one run of the trainer printed and how it exited.</summary>
internal sealed record TrainerResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>
/// Runs the built trainer in a working folder, as a user would: src/Samples/Mnist.Train (the plain-C# engine only, no
/// native library) or, for arguments that ask for --engine torch, src/Samples/Mnist.Train.Torch (the same program with the
/// TorchSharp backend referenced).
/// </summary>
internal static class TrainerProcess
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    /// <summary>The native-free trainer's build output; with <paramref name="torch"/>, the one with the TorchSharp backend.</summary>
    public static string BuildFolder(bool torch = false, [CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "Samples", torch ? "Mnist.Train.Torch" : "Mnist.Train", "bin", Configuration, "net10.0"));

    /// <summary>The build that can run <paramref name="args"/>: the TorchSharp one when they say --engine torch.</summary>
    public static string BuildFolderFor(string[] args) => BuildFolder(torch: AsksForTorch(args));

    public static bool AsksForTorch(string[] args) => args.Zip(args.Skip(1)).Any(p => p.First == "--engine" && p.Second == "torch");

    /// <summary>MNIST for the tests: MNIST_DIR (./build.sh test sets it), else the cache fetch-data fills.</summary>
    public static string MnistFolder()
    {
        var folder = Environment.GetEnvironmentVariable("MNIST_DIR") is { Length: > 0 } dir ? dir
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mnist-dsl", "mnist");
        if (!File.Exists(Path.Combine(folder, "t10k-labels-idx1-ubyte")) && !File.Exists(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz")))
            throw new InvalidOperationException($"These tests train on real MNIST, which is not in {folder}: run ./build.sh fetch-data, or set MNIST_DIR.");
        return folder;
    }

    public static TrainerResult Run(string workingFolder, params string[] args) => Start(workingFolder, BuildFolderFor(args), args, onStdoutLine: null).GetAwaiter().GetResult();

    /// <summary>Starts the trainer from <paramref name="buildFolder"/>; <paramref name="onStdoutLine"/> sees each line as it comes (with the process).</summary>
    public static async Task<TrainerResult> Start(string workingFolder, string buildFolder, string[] args, Action<string, Process>? onStdoutLine, bool interruptible = false,
        System.Collections.Generic.Dictionary<string, string>? environment = null)
    {
        // A test host started in a background job inherits SIGINT ignored, and .NET keeps an inherited SIG_IGN, so
        // Ctrl-C would never reach the trainer. A user's terminal gives it the default; so does this launcher.
        var start = new ProcessStartInfo(interruptible ? "/usr/bin/python3" : "dotnet")
        {
            WorkingDirectory = workingFolder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (interruptible)
            foreach (var a in new[] { "-c", "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execvp('dotnet', ['dotnet'] + sys.argv[1:])" })
                start.ArgumentList.Add(a);
        // Either trainer's program (a copy of a build folder keeps the assembly's name).
        start.ArgumentList.Add(new[] { "Mnist.Train.Torch.dll", "Mnist.Train.dll" }.Select(d => Path.Combine(buildFolder, d)).First(File.Exists));
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["MNIST_DIR"] = MnistFolder();
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (name, value) in environment ?? new()) start.Environment[name] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start dotnet");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new System.Text.StringBuilder();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            stdout.Append(line).Append('\n');
            onStdoutLine?.Invoke(line, process);
        }
        await process.WaitForExitAsync();
        return new TrainerResult(process.ExitCode, stdout.ToString(), await stderr);
    }
}
