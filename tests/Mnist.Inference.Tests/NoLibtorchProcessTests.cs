using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace Mnist.Inference.Tests;

/// <summary>
/// src/Samples/Mnist.Classify references only Mnist.Dsl (library, generator, analyzers) and compiles the sample
/// declarations itself. Run as its own process on weights saved by libtorch here, it classifies the MNIST test set
/// with the same outputs as the libtorch module, and reports that neither libtorch nor Mnist.Torch was loaded.
/// </summary>
[Collection(Serial.Name)]
public class NoLibtorchProcessTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string BuildFolder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "Samples", "Mnist.Classify", "bin", Configuration, "net10.0"));

    [Fact]
    public void The_sample_classifies_MNIST_like_libtorch_in_a_process_without_libtorch()
    {
        var network = SampleNetwork.Named("Seed004Net");
        using var weights = new TemporaryFile(".safetensors");
        using var dump = new TemporaryFile(".f32");
        float[] expected;
        using (var module = network.CreateRandomised(seed: 11))
        {
            module.save(weights.Path);
            expected = ModuleOutputs.Of(module, TestSet.Images, TestSet.ImageLength, network.Classes);
        }
        Assert.False(File.Exists(Path.Combine(BuildFolder(), "Mnist.Torch.dll")), "Mnist.Classify's output folder must not hold Mnist.Torch.dll");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(BuildFolder(), "Mnist.Classify.dll"), network.CliName, weights.Path, "--mnist", Mnist.Torch.Data.MnistDataset.DefaultFolder(), "--threads", "2", "--outputs", dump.Path })
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEnd();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains("native torch libraries loaded: none", stdout);
        Assert.Contains("managed torch assemblies loaded: none", stdout);
        var bytes = File.ReadAllBytes(dump.Path);
        var actual = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, actual, 0, bytes.Length);
        var comparison = OutputComparison.Of(expected, actual, TestSet.Labels, network.Classes, ParityTests.Tolerance);
        Assert.True(comparison.MaxDifference <= ParityTests.Tolerance, comparison.ToString());
        Assert.Equal(0, comparison.DifferentPredictions);
        Assert.Contains($"{comparison.CandidateCorrect}/10000 correct", stdout);
    }

    /// <summary>The check above can fail: this process has libtorch loaded, and the same scan of /proc/self/maps finds it.</summary>
    [Fact]
    public void The_maps_scan_finds_libtorch_where_it_is_loaded()
    {
        using var _ = Mnist.Torch.torch.zeros(new long[] { 1 });
        var maps = File.ReadAllText("/proc/self/maps");

        Assert.Contains("libtorch", maps);
    }
}
