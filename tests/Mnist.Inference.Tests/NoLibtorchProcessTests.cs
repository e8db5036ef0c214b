using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using Mnist.Dsl.Training.Data;
using Mnist.Dsl.Training.Serialization;
using Xunit;

namespace Mnist.Inference.Tests;

/// <summary>
/// src/Samples/Mnist.Classify references only Mnist.Dsl (library, generator, analyzers) and compiles the sample
/// declarations itself. Run as its own process on weights written here by SaveWeights from the TorchSharp module,
/// it classifies the MNIST test set with the same outputs as the module, and its memory map, read at its exit,
/// holds no torch runtime: no libtorch, no libLibTorchSharp, no TorchSharp.dll.
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
    public async Task The_sample_classifies_MNIST_like_the_TorchSharp_module_in_a_process_without_a_torch_runtime()
    {
        var network = SampleNetwork.Named("Seed004Net");
        using var weights = new TemporaryFile(".safetensors");
        using var dump = new TemporaryFile(".f32");
        using var maps = new TemporaryFile(".maps");
        float[] expected;
        using (var module = network.CreateRandomised(seed: 11))
        {
            module.SaveWeights(weights.Path);
            expected = ModuleOutputs.Of(module, TestSet.Images, TestSet.ImageLength, network.Classes);
        }
        var torchFiles = Directory.GetFiles(BuildFolder(), "*", SearchOption.AllDirectories).Select(Path.GetFileName).Where(TorchMappings.IsTorchFile).ToArray();
        Assert.True(torchFiles.Length == 0, $"Mnist.Classify's output folder must hold no torch runtime, but has: {string.Join(", ", torchFiles)}");

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(BuildFolder(), "Mnist.Classify.dll"), network.CliName, weights.Path, "--mnist", MnistDataset.DefaultFolder(), "--threads", "2", "--outputs", dump.Path })
            start.ArgumentList.Add(a);
        start.Environment["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location;
        start.Environment[StartupHook.DumpVariable] = maps.Path;
        using var process = Process.Start(start)!;
        var stderrRead = process.StandardError.ReadToEndAsync();
        var stdout = await process.StandardOutput.ReadToEndAsync();
        var stderr = await stderrRead;
        await process.WaitForExitAsync();

        Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}\n{stdout}\n{stderr}");
        Assert.Contains("native torch libraries loaded: none", stdout);
        Assert.Contains("managed torch assemblies loaded: none", stdout);
        var mapped = File.ReadAllText(maps.Path);
        Assert.Contains("Mnist.Classify.dll", mapped); // the dump is the classifier's own map, written at its exit
        Assert.Equal(Array.Empty<string>(), TorchMappings.In(mapped));
        var bytes = File.ReadAllBytes(dump.Path);
        var actual = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, actual, 0, bytes.Length);
        var comparison = OutputComparison.Of(expected, actual, TestSet.Labels, network.Classes, ParityTests.Tolerance);
        Assert.True(comparison.MaxDifference <= ParityTests.Tolerance, comparison.ToString());
        Assert.Equal(0, comparison.DifferentPredictions);
        Assert.Contains($"{comparison.CandidateCorrect}/10000 correct", stdout);
    }

    /// <summary>The check above can fail: this process runs TorchSharp, and the same scan of /proc/self/maps finds all three.</summary>
    [Fact]
    public void The_maps_scan_finds_libtorch_libLibTorchSharp_and_TorchSharp_where_they_are_loaded()
    {
        using var _ = TorchSharp.torch.zeros(new long[] { 1 });
        var found = TorchMappings.In(File.ReadAllText("/proc/self/maps"));

        Assert.Contains("libtorch_cpu.so", found);
        Assert.Contains("libLibTorchSharp.so", found);
        Assert.Contains("TorchSharp.dll", found);
    }
}
