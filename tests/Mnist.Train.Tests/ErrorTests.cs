using System;
using System.IO;
using System.Linq;
using Mnist.Torch;
using Mnist.Torch.Serialization;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>Every mistake a user can make gets one line on stderr that says what is wrong and how to fix it, and exit code 2.</summary>
public sealed class ErrorTests : IDisposable
{
    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("mnist-train-errors-");

    public void Dispose() => work.Delete(recursive: true);

    [Theory]
    [InlineData("Unknown model 'lenet'. Known models: default, small, seed004", "train", "lenet")]
    [InlineData("Unknown model 'lenet'", "summary", "lenet")]
    [InlineData("--epochs must be positive, not 0.", "train", "--epochs", "0")]
    [InlineData("--batch-size must be positive, not -5.", "train", "--batch-size", "-5")]
    [InlineData("--threads must be positive, not 0.", "train", "--threads", "0")]
    [InlineData("--lr must be in (0, 10], not 0.", "train", "--lr", "0")]
    [InlineData("--train-limit must be 0 or more, not -1.", "train", "--train-limit", "-1")]
    [InlineData("--step-size must be 0 or more, not -2.", "train", "--step-size", "-2")]
    [InlineData("--lr must be in (0, 10], not 11.", "train", "--lr", "11")]
    [InlineData("Cannot parse argument 'many' for option '--epochs'", "train", "--epochs", "many")]
    [InlineData("Cannot parse argument 'rmsprop' for option '--optimizer'", "train", "--optimizer", "rmsprop")]
    [InlineData("Option '--weights' is required.", "eval", "default")]
    [InlineData("--resume needs --output <run folder>", "train", "--resume")]
    public void Bad_options_are_named_in_one_line(string message, params string[] args)
    {
        var result = TrainerProcess.Run(work.FullName, args);
        AssertOneLineError(result, message);
        Assert.False(Directory.Exists(Path.Combine(work.FullName, "runs")), "nothing is written for a command that is refused");
    }

    [Fact]
    public void Missing_data_names_the_files_and_the_command_that_fetches_them_before_anything_is_written()
    {
        var result = TrainerProcess.Run(work.FullName, "train", "--data", Path.Combine(work.FullName, "nowhere"));
        AssertOneLineError(result, "were not found because the folder");
        Assert.Contains("./build.sh fetch-data", result.Stderr);
        Assert.False(Directory.Exists(Path.Combine(work.FullName, "runs")));
    }

    [Fact]
    public void Weights_that_are_missing_unreadable_or_of_another_model_are_refused_with_what_is_wrong()
    {
        AssertOneLineError(TrainerProcess.Run(work.FullName, "eval", "small", "--weights", "absent.safetensors"), "does not exist");

        File.WriteAllText(Path.Combine(work.FullName, "garbage.safetensors"), "not a safetensors file");
        AssertOneLineError(TrainerProcess.Run(work.FullName, "eval", "small", "--weights", "garbage.safetensors"), "is not a valid safetensors file");

        var trained = TrainerProcess.Run(work.FullName, "train", "small", "--epochs", "1", "--train-limit", "256", "--test-limit", "100", "--output", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var full = File.ReadAllBytes(Path.Combine(work.FullName, "run", "last.safetensors"));
        File.WriteAllBytes(Path.Combine(work.FullName, "truncated.safetensors"), full[..(full.Length / 2)]);
        AssertOneLineError(TrainerProcess.Run(work.FullName, "eval", "small", "--weights", "truncated.safetensors"), "is not a valid safetensors file");

        var other = TrainerProcess.Run(work.FullName, "eval", "default", "--weights", Path.Combine("run", "last.safetensors"));
        AssertOneLineError(other, "does not hold weights for this DefaultNet");
        Assert.Contains("shape", other.Stderr);

        // The right names and shapes in float64 (numpy's default): refused, naming the tensor and both dtypes.
        using (var scope = torch.NewDisposeScope())
        {
            var weights = SafeTensors.Load(Path.Combine(work.FullName, "run", "last.safetensors"));
            SafeTensors.Save(weights.ToDictionary(w => w.Key, w => w.Value.to_type(torch.ScalarType.Float64)), Path.Combine(work.FullName, "f64.safetensors"));
        }
        var doubles = TrainerProcess.Run(work.FullName, "eval", "small", "--weights", "f64.safetensors");
        AssertOneLineError(doubles, "does not hold weights for this SmallNet");
        Assert.Matches(@"dtype: \S+ is Float64 but this model's is Float32", doubles.Stderr);

        // A dtype this reader does not know (bfloat16, as a GPU run might save): named as such.
        var header = File.ReadAllBytes(Path.Combine(work.FullName, "run", "last.safetensors"));
        var text = System.Text.Encoding.Latin1.GetString(header);
        File.WriteAllBytes(Path.Combine(work.FullName, "bf16.safetensors"), System.Text.Encoding.Latin1.GetBytes(ReplaceFirst(text, "\"F32\"", "\"BF16\"")));
        AssertOneLineError(TrainerProcess.Run(work.FullName, "eval", "small", "--weights", "bf16.safetensors"), "unknown dtype 'BF16'");
    }

    private static string ReplaceFirst(string text, string what, string with)
    {
        var at = text.IndexOf(what, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{what} not found");
        return text[..at] + with + text[(at + what.Length)..];
    }

    [Fact]
    public void A_run_folder_is_neither_overwritten_nor_resumed_with_other_settings()
    {
        var trained = TrainerProcess.Run(work.FullName, "train", "small", "--epochs", "1", "--train-limit", "256", "--test-limit", "100", "--output", "run");
        Assert.True(trained.ExitCode == 0, trained.ToString());
        AssertOneLineError(TrainerProcess.Run(work.FullName, "train", "small", "--output", "run"), "already holds a run; add --resume");
        AssertOneLineError(TrainerProcess.Run(work.FullName, "train", "--output", "run", "--resume", "--lr", "0.5"), "cannot resume");
        AssertOneLineError(TrainerProcess.Run(work.FullName, "train", "--output", "empty", "--resume"), "holds no run to resume");
    }

    [Fact]
    public async System.Threading.Tasks.Task Without_the_native_library_the_trainer_says_what_to_install()
    {
        // The trainer's own files without the shim: what a machine without libtorch's build gets.
        var copy = Directory.CreateDirectory(Path.Combine(work.FullName, "bin")).FullName;
        foreach (var file in Directory.GetFiles(TrainerProcess.BuildFolder()).Where(f => !f.EndsWith("libmnist_torch_shim.so", StringComparison.Ordinal)))
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var result = await TrainerProcess.Start(work.FullName, copy, new[] { "train", "--epochs", "1" }, null);
        AssertOneLineError(result, "native shim (libmnist_torch_shim.so) is not next to Mnist.Torch.dll");
        Assert.Contains("apt-get install libtorch-dev", result.Stderr);
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
