using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mnist.Dsl.Training.Serialization;
using Mnist.Inference.Tests;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>
/// The trainer on the generated (plain-C#) engine: it resumes to the numbers of an uninterrupted run, writes weights
/// that TorchSharp and the inference class evaluate alike, runs with no native torch library in the process, and refuses
/// what it cannot do with one line naming the fix.
/// </summary>
public sealed class EngineTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-train-engine-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData()] // the default recipe: SGD with momentum (its buffer in the checkpoint), one-cycle per batch, rotation
    [InlineData("--optimizer", "adam", "--lr", "0.01", "--schedule", "plateau")] // Adam's moments and step count; a schedule on the test loss
    [InlineData("--ema", "0.99", "--warmup", "0.2")] // the weight average and its update count; a shorter warm-up
    public void A_run_stopped_after_an_epoch_and_resumed_on_the_engine_gives_the_numbers_and_weights_of_an_uninterrupted_run(params string[] recipe)
    {
        string[] Args(string folder, params string[] more) =>
            new[] { "train", "default", "--engine", "generated", "--epochs", "2", "--train-limit", "1024", "--test-limit", "500", "--output", Path.Combine(_work.FullName, folder) }
                .Concat(recipe).Concat(more).ToArray();

        var whole = TrainerProcess.Run(_work.FullName, Args("whole"));
        Assert.True(whole.ExitCode == 0, whole.ToString());
        Assert.Contains("engine generated", whole.Stdout);
        var stopped = TrainerProcess.Run(_work.FullName, Args("parts", "--stop-after", "1"));
        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", Path.Combine(_work.FullName, "parts"), "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resuming default for 2 epochs", resumed.Stdout);

        Assert.Equal(WithoutSeconds("whole"), WithoutSeconds("parts"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_work.FullName, "whole", "last.safetensors")), File.ReadAllBytes(Path.Combine(_work.FullName, "parts", "last.safetensors")));
        // and the run is not one the torch path would resume
        var onTorch = TrainerProcess.Run(_work.FullName, "train", "--output", Path.Combine(_work.FullName, "parts"), "--resume", "--engine", "torch", "--epochs", "3");
        Assert.Equal(2, onTorch.ExitCode);
        Assert.Contains("--engine torch (the run has generated)", onTorch.Stderr);
    }

    [Fact]
    public void Weights_trained_on_the_engine_are_the_modules_the_inference_class_and_TorchSharp_evaluate_them_alike_and_the_run_is_learning()
    {
        var run = Path.Combine(_work.FullName, "run");
        var result = TrainerProcess.Run(_work.FullName, "train", "--epochs", "2", "--train-limit", "4096", "--test-limit", "1000", "--output", run);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Training default for 2 epochs", result.Stdout);
        Assert.Contains("engine generated", result.Stdout); // the default engine for the default network
        // Said before the first epoch: the whole run's time from timed warm-up steps (its value depends on the machine).
        Assert.Matches(@"Expected time: about (\d+ min )?\d+ s for 2 epochs \([\d.]+ s each: [\d,]+ training images/s measured on a warm-up, 2\.77M multiply-adds per image forward\)\.\nEpoch 1:",
            result.Stdout.Replace("\r\n", "\n"));
        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        var lastAccuracy = double.Parse(rows[2].Split(',')[4], CultureInfo.InvariantCulture);
        Assert.True(lastAccuracy > 80, $"test accuracy after 2 epochs on 4,096 images is {lastAccuracy}%, not well above the 10% of chance\n{result}");

        var best = rows.Skip(1).Select(r => r.Split(',')).MaxBy(f => long.Parse(f[5], CultureInfo.InvariantCulture))!;
        var weights = Path.Combine(run, "best.safetensors");
        var onInference = TrainerProcess.Run(_work.FullName, "eval", "default", "--weights", weights, "--test-limit", "1000");
        var onTorch = TrainerProcess.Run(_work.FullName, "eval", "default", "--weights", weights, "--test-limit", "1000", "--engine", "torch");
        Assert.True(onInference.ExitCode == 0, onInference.ToString());
        Assert.True(onTorch.ExitCode == 0, onTorch.ToString());
        Assert.Contains($"Accuracy: {best[5]}/1000", onInference.Stdout);
        Assert.Equal(onTorch.Stdout, onInference.Stdout);

        // The file is the module's state dict: the keys TorchSharp's module has, float32 and an int64 batch count.
        var tensors = SafeTensorsFile.Read(weights, out _);
        Assert.Contains(tensors, t => t.Key == "conv1.weight" && t.Value.Shape.SequenceEqual(new long[] { 16, 1, 3, 3 }));
        Assert.Contains(tensors, t => t.Key == "bn5.num_batches_tracked" && t.Value.Dtype == "I64");
    }

    [Fact]
    public void With_ema_the_tests_and_the_saved_weights_use_the_average_and_training_the_live_weights()
    {
        var run = Path.Combine(_work.FullName, "ema");
        var result = TrainerProcess.Run(_work.FullName, "train", "fast", "--epochs", "1", "--ema", "0.99", "--train-limit", "2048", "--test-limit", "500", "--output", run);
        Assert.True(result.ExitCode == 0, result.ToString());
        var last = File.ReadAllLines(Path.Combine(run, "metrics.csv"))[1].Split(',');

        // The epoch's test pass evaluated the saved weights.
        var eval = TrainerProcess.Run(_work.FullName, "eval", "fast", "--weights", Path.Combine(run, "last.safetensors"), "--test-limit", "500");
        Assert.True(eval.ExitCode == 0, eval.ToString());
        Assert.Contains($"Accuracy: {last[5]}/500", eval.Stdout);

        // They are the average, not the live weights the checkpoint goes on from; BatchNorm's statistics are the live ones.
        var saved = SafeTensorsFile.Read(Path.Combine(run, "last.safetensors"), out _).ToDictionary(t => t.Key, t => t.Value);
        var live = SafeTensorsFile.Read(Path.Combine(run, "checkpoint.safetensors"), out var metadata)
            .Where(t => t.Key.StartsWith("model.", StringComparison.Ordinal)).ToDictionary(t => t.Key["model.".Length..], t => t.Value);
        Assert.Equal("16", metadata["average_updates"]);
        Assert.Equal(live.Keys.Order(), saved.Keys.Order());
        foreach (var (key, tensor) in saved)
        {
            if (key.Contains("running_") || key.EndsWith("num_batches_tracked", StringComparison.Ordinal))
                Assert.True(tensor.Data.SequenceEqual(live[key].Data), $"{key}: the saved running statistics are not the live ones");
            else
                Assert.False(tensor.Data.SequenceEqual(live[key].Data), $"{key}: the saved weights are the live ones, not the average");
        }
    }

    [Fact]
    public async Task Training_on_the_engine_loads_no_native_torch_library()
    {
        using var maps = new TemporaryFile();
        var run = Path.Combine(_work.FullName, "run");
        var result = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(),
            new[] { "train", "--engine", "generated", "--epochs", "1", "--train-limit", "512", "--test-limit", "256", "--output", run },
            onStdoutLine: null, environment: new() { ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location, [StartupHook.DumpVariable] = maps.Path });
        Assert.True(result.ExitCode == 0, result.ToString());
        var mapped = File.ReadAllText(maps.Path);
        Assert.Contains("Mnist.Dsl.Engine.dll", mapped); // the dump is the trainer's own map, written at its exit, after training
        // No native torch library. TorchSharp.dll, the managed assembly, is mapped: the sample networks are compiled with
        // TorchSharp referenced, so each class is a torch.nn.Module and the registry holds its Type; mapping that
        // assembly runs no native code (libtorch loads in torch's static constructor, which the engine never reaches).
        Assert.Equal(Array.Empty<string>(), TorchMappings.In(mapped).Where(f => f != "TorchSharp.dll"));
    }

    /// <summary>The scan above can fail: the torch engine's process maps libtorch and libLibTorchSharp, and the same scan finds them.</summary>
    [Fact]
    public async Task The_maps_scan_finds_the_torch_runtime_in_a_process_training_on_torch()
    {
        using var maps = new TemporaryFile();
        var result = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(torch: true),
            new[] { "train", "--engine", "torch", "--epochs", "1", "--train-limit", "256", "--test-limit", "256", "--output", Path.Combine(_work.FullName, "run") },
            onStdoutLine: null, environment: new() { ["DOTNET_STARTUP_HOOKS"] = typeof(StartupHook).Assembly.Location, [StartupHook.DumpVariable] = maps.Path });
        Assert.True(result.ExitCode == 0, result.ToString());
        var found = TorchMappings.In(File.ReadAllText(maps.Path));
        Assert.Contains("libtorch_cpu.so", found);
        Assert.Contains("libLibTorchSharp.so", found);
    }

    [Fact]
    public void Eval_through_the_inference_class_refuses_a_missing_damaged_or_other_networks_file_in_one_line()
    {
        var run = Path.Combine(_work.FullName, "run");
        var trained = TrainerProcess.Run(_work.FullName, "train", "--epochs", "1", "--train-limit", "256", "--test-limit", "100", "--output", run);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        File.WriteAllText(Path.Combine(_work.FullName, "garbage.safetensors"), "not a safetensors file");
        foreach (var (args, message) in new[]
        {
            (new[] { "eval", "default", "--weights", "absent.safetensors" }, "does not exist"),
            (new[] { "eval", "default", "--weights", "garbage.safetensors" }, "is not a valid safetensors file"),
            (new[] { "eval", "small", "--weights", Path.Combine(run, "last.safetensors") }, "these weights fit network 'default', not 'small'"),
        })
        {
            var result = TrainerProcess.Run(_work.FullName, args);
            Assert.True(result.ExitCode == 2, result.ToString());
            var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1 && lines[0].StartsWith("error: ", StringComparison.Ordinal) && lines[0].Contains(message, StringComparison.Ordinal), result.ToString());
        }
    }

    private string[] WithoutSeconds(string folder) =>
        File.ReadAllLines(Path.Combine(_work.FullName, folder, "metrics.csv")).Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();

    private sealed class TemporaryFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.GetTempFileName();

        public void Dispose() => File.Delete(Path);
    }
}
