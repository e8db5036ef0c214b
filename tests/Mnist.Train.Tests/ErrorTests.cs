using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mnist.Dsl.Training.Serialization;
using TorchSharp;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>Every mistake a user can make gets one line on stderr that says what is wrong and how to fix it, and exit code 2.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-train-errors-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData("Unknown model 'lenet'. Known models: default, fast, seed001-1, seed001-2, seed002, seed004, small, tiny (see `list`).", "train", "lenet")]
    [InlineData("Unknown model 'lenet'", "summary", "lenet")]
    [InlineData("--epochs must be positive, not 0.", "train", "--epochs", "0")]
    [InlineData("--batch-size must be positive, not -5.", "train", "--batch-size", "-5")]
    [InlineData("--threads must be positive, not 0.", "train", "--threads", "0")]
    [InlineData("--lr must be in (0, 10], not 0.", "train", "--lr", "0")]
    [InlineData("--train-limit must be 0 or more, not -1.", "train", "--train-limit", "-1")]
    [InlineData("--step-size must be 0 or more, not -2.", "train", "--step-size", "-2")]
    [InlineData("--lr must be in (0, 10], not 11.", "train", "--lr", "11")]
    [InlineData("--warmup must be in (0, 1), not 1.", "train", "--warmup", "1")]
    [InlineData("--ema must be in [0, 1), not 1.", "train", "--ema", "1")]
    [InlineData("--ema averages the weights on the generated engine only; drop --ema, or --engine torch.", "train", "--ema", "0.99", "--engine", "torch")]
    [InlineData("Cannot parse argument 'many' for option '--epochs'", "train", "--epochs", "many")]
    [InlineData("Cannot parse argument 'rmsprop' for option '--optimizer'", "train", "--optimizer", "rmsprop")]
    [InlineData("Option '--weights' is required.", "eval", "default")]
    [InlineData("--resume needs --output <run folder>", "train", "--resume")]
    public void Bad_options_are_named_in_one_line(string message, params string[] args)
    {
        var result = TrainerProcess.Run(_work.FullName, args);
        AssertOneLineError(result, message);
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "runs")), "nothing is written for a command that is refused");
    }

    [Fact]
    public void Missing_data_names_the_files_and_the_command_that_fetches_them_before_anything_is_written()
    {
        var result = TrainerProcess.Run(_work.FullName, "train", "--data", Path.Combine(_work.FullName, "nowhere"));
        AssertOneLineError(result, "were not found because the folder");
        Assert.Contains("./build.sh fetch-data", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "runs")));
    }

    [Fact]
    public void Weights_that_are_missing_unreadable_or_of_another_model_are_refused_with_what_is_wrong()
    {
        // The TorchSharp module's checks (EngineTests has the inference class's).
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "eval", "small", "--weights", "absent.safetensors", "--engine", "torch"), "does not exist");

        File.WriteAllText(Path.Combine(_work.FullName, "garbage.safetensors"), "not a safetensors file");
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "eval", "small", "--weights", "garbage.safetensors", "--engine", "torch"), "is not a valid safetensors file");

        var trained = TrainerProcess.Run(_work.FullName, "train", "small", "--epochs", "1", "--train-limit", "256", "--test-limit", "100", "--threads", "1", "--output", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var full = File.ReadAllBytes(Path.Combine(_work.FullName, "run", "last.safetensors"));
        File.WriteAllBytes(Path.Combine(_work.FullName, "truncated.safetensors"), full[..(full.Length / 2)]);
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "eval", "small", "--weights", "truncated.safetensors", "--engine", "torch"), "is not a valid safetensors file");

        // Another known network's weights: named as that network's, not listed difference by difference.
        var other = TrainerProcess.Run(_work.FullName, "eval", "default", "--weights", Path.Combine("run", "last.safetensors"), "--engine", "torch");
        AssertOneLineError(other, "last.safetensors: these weights fit network 'small', not 'default'. Use them with 'small', or give a weights file of 'default'.");
        Assert.DoesNotContain("shape", other.Stderr);

        // Weights no known network has (small's with an extra tensor): every difference, as before.
        using (var scope = torch.NewDisposeScope())
        {
            var weights = SafeTensors.Load(Path.Combine(_work.FullName, "run", "last.safetensors"));
            weights["conv9.weight"] = torch.zeros(4, 4, 3, 3);
            SafeTensors.Save(weights, Path.Combine(_work.FullName, "none.safetensors"));
        }
        var none = TrainerProcess.Run(_work.FullName, "eval", "default", "--weights", "none.safetensors", "--engine", "torch");
        AssertOneLineError(none, "does not hold weights for this DefaultNet");
        Assert.Contains("unexpected: conv9.weight", none.Stderr);
        Assert.Contains("shape", none.Stderr);

        // The right names and shapes in float64 (numpy's default): refused, naming the tensor and both dtypes.
        using (var scope = torch.NewDisposeScope())
        {
            var weights = SafeTensors.Load(Path.Combine(_work.FullName, "run", "last.safetensors"));
            SafeTensors.Save(weights.ToDictionary(w => w.Key, w => w.Value.to_type(torch.ScalarType.Float64)), Path.Combine(_work.FullName, "f64.safetensors"));
        }
        var doubles = TrainerProcess.Run(_work.FullName, "eval", "small", "--weights", "f64.safetensors", "--engine", "torch");
        AssertOneLineError(doubles, "does not hold weights for this SmallNet");
        Assert.Matches(@"dtype: \S+ is Float64 but this model's is Float32", doubles.Stderr);

        // A dtype this reader does not know (bfloat16, as a GPU run might save): named as such. Each float is cut to
        // its upper 16 bits, which is what bfloat16 is, so the file is a consistent one.
        var bf16 = SafeTensorsFile.Read(Path.Combine(_work.FullName, "run", "last.safetensors"), out _)
            .Select(t => KeyValuePair.Create(t.Key, t.Value.Dtype != "F32" ? t.Value
                : new RawTensor("BF16", t.Value.Shape, t.Value.Data.Chunk(4).SelectMany(f => f[2..]).ToArray())));
        SafeTensorsFile.Write(Path.Combine(_work.FullName, "bf16.safetensors"), bf16);
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "eval", "small", "--weights", "bf16.safetensors", "--engine", "torch"), "unknown dtype 'BF16'");
    }

    [Fact]
    public void A_run_folder_is_neither_overwritten_nor_resumed_with_other_settings()
    {
        var trained = TrainerProcess.Run(_work.FullName, "train", "small", "--epochs", "1", "--train-limit", "256", "--test-limit", "100", "--threads", "1", "--output", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "train", "small", "--output", "run"), "already holds a run; add --resume");
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "train", "--output", "run", "--resume", "--lr", "0.5", "--no-augment"),
            "with other settings: --lr 0.5 (the run has 0.1); augmentation off (the run has on).");
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "train", "--output", "empty", "--resume"), "holds no run to resume");

        // settings.json as the trainer wrote it before the option table (no step_size yet) still reads: its values are compared.
        File.WriteAllText(Path.Combine(_work.FullName, "run", "settings.json"), """
            { "model": "small", "epochs": 1, "batch_size": 128, "optimizer": "sgd", "learning_rate": 0.1, "schedule": "one-cycle",
              "augment": true, "seed": 1, "threads": 1, "train_limit": 256, "test_limit": 100 }
            """);
        AssertOneLineError(TrainerProcess.Run(_work.FullName, "train", "--output", "run", "--resume", "--epochs", "2", "--schedule", "step"),
            "with other settings: --epochs 2 (the run has 1); --schedule step (the run has onecycle)");
    }

    [Theory]
    [InlineData("train", "--epochs", "1", "--engine", "torch")]
    [InlineData("eval", "small", "--weights", "absent.safetensors", "--engine", "torch")]
    public async System.Threading.Tasks.Task The_native_free_trainer_asked_for_torch_names_the_packages_that_add_it(params string[] args)
    {
        // Mnist.Train references no TorchSharp (the default a user's project gets): one line, no run folder, exit 2.
        var result = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(torch: false), args, null);
        AssertOneLineError(result, "--engine torch needs the TorchSharp backend, which this program does not reference: add the packages Mnist.Dsl.TorchSharp and TorchSharp-cpu");
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "runs")), "a refused run wrote a run folder");
    }

    [Theory]
    [InlineData("train", "--epochs", "1", "--engine", "torch")]
    [InlineData("eval", "small", "--weights", "absent.safetensors", "--engine", "torch")]
    public async System.Threading.Tasks.Task Without_libtorch_the_trainer_names_what_is_missing_and_the_command_that_restores_it(params string[] args)
    {
        // The trainer's build output without libtorch's main library: what a machine with a failed restore gets.
        var copy = BuildWithNatives(_work.FullName, (name, source) => name == "libtorch_cpu.so" ? null : source);
        var result = await TrainerProcess.Start(_work.FullName, copy, args, null);
        AssertOneLineError(result, "TorchSharp's native libraries are missing from");
        Assert.Contains("libtorch_cpu.so", result.Stderr);
        Assert.Contains("./build.sh setup", result.Stderr);
    }

    [Fact]
    public async System.Threading.Tasks.Task With_TorchSharp_s_unpatched_library_on_an_older_libstdcxx_the_trainer_says_to_rebuild()
    {
        // The package's own libLibTorchSharp.so, as a build that skipped the patch would leave it.
        var original = Mnist.Tests.Shared.RestoredPackages.File("TorchSharp", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Assert.True(File.Exists(original), $"{original} is missing: restore the solution first");
        var system = new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6" }.First(File.Exists);
        var copy = BuildWithNatives(_work.FullName, (name, source) => name == "libLibTorchSharp.so" ? original : source);
        var result = await TrainerProcess.Start(_work.FullName, copy, new[] { "train", "--epochs", "1", "--engine", "torch" }, null);
        if (File.ReadAllText(system, System.Text.Encoding.Latin1).Contains("\0GLIBCXX_3.4.32\0", StringComparison.Ordinal))
        {
            // A libstdc++ from GCC 13 or later: the unpatched library loads, as it should.
            Assert.DoesNotContain("GLIBCXX", result.Stderr);
            return;
        }
        AssertOneLineError(result, "needs GLIBCXX_3.4.32");
        Assert.Contains("rebuild with `dotnet build", result.Stderr);
    }

    /// <summary>
    /// The trainer's build output with its natives replaced as <paramref name="choose"/> says (null: left out).
    /// The managed files are copied; the natives (half a gigabyte) are symbolic links.
    /// </summary>
    private static string BuildWithNatives(string folder, Func<string, string, string?> choose)
    {
        var build = TrainerProcess.BuildFolder(torch: true);
        var copy = Directory.CreateDirectory(Path.Combine(folder, "bin")).FullName;
        foreach (var file in Directory.GetFiles(build)) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var natives = Directory.CreateDirectory(Path.Combine(copy, "runtimes", "linux-x64", "native")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(build, "runtimes", "linux-x64", "native")))
            if (choose(Path.GetFileName(file), file) is { } source) File.CreateSymbolicLink(Path.Combine(natives, Path.GetFileName(file)), source);
        return copy;
    }

    private static void AssertOneLineError(TrainerResult result, string message)
    {
        Assert.True(result.ExitCode == 2, result.ToString());
        var lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("See: ", StringComparison.Ordinal)).ToArray();
        Assert.True(lines.Length == 1, $"expected one error line\n{result}");
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(message, lines[0]);
    }
}
