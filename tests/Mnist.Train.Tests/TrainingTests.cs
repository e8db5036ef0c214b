using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>
/// The trainer end to end on a subset of real MNIST: it learns, it writes its run folder, it resumes exactly.
/// On one libtorch thread: where the cores are shared (other test projects, other builds), two spinning
/// OpenMP threads per operation make a run several times slower.
/// </summary>
public sealed class TrainingTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-train-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_generated_network_trained_briefly_on_real_MNIST_is_well_above_chance_and_its_run_folder_is_complete()
    {
        var run = Path.Combine(_work.FullName, "run");
        var result = TrainerProcess.Run(_work.FullName, "train", "default", "--epochs", "2", "--train-limit", "4000", "--test-limit", "1000", "--threads", "1", "--output", run);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Total params: 16,538", result.Stdout);
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/1000 \(\d+\.\d\d%\)", result.Stdout);

        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal(3, rows.Length);
        var lastAccuracy = double.Parse(rows[2].Split(',')[4], CultureInfo.InvariantCulture);
        Assert.True(lastAccuracy > 80, $"test accuracy after 2 epochs on 4,000 images is {lastAccuracy}%, not well above the 10% of chance\n{result}");

        foreach (var file in new[] { "command.txt", "settings.json", "summary.txt", "plot.svg", "best.safetensors", "last.safetensors", "checkpoint.safetensors" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} is missing from the run folder");
        Assert.Empty(Directory.GetFiles(run, "*.tmp*")); // atomic writes leave no temporary files behind
        var printedTable = result.Stdout[..result.Stdout.IndexOf("Training default", StringComparison.Ordinal)].TrimEnd();
        Assert.StartsWith(printedTable, File.ReadAllText(Path.Combine(run, "summary.txt")));
        Assert.Contains("Receptive", File.ReadAllText(Path.Combine(run, "summary.txt"))); // and the second view: RF, jump, MACs

        // The plot: four panels (training/test loss/accuracy), one line each, one point per epoch.
        var svg = XDocument.Load(Path.Combine(run, "plot.svg"));
        var lines = svg.Descendants().Where(e => e.Name.LocalName == "polyline").ToList();
        Assert.Equal(4, lines.Count);
        Assert.All(lines, l => Assert.Equal(2, l.Attribute("points")!.Value.Split(' ').Length));

        // eval of the best weights reproduces the best epoch's test line.
        var best = rows.Skip(1).Select(r => r.Split(',')).MaxBy(f => long.Parse(f[5], CultureInfo.InvariantCulture))!;
        var evaluated = TrainerProcess.Run(_work.FullName, "eval", "default", "--weights", Path.Combine(run, "best.safetensors"), "--test-limit", "1000");
        Assert.True(evaluated.ExitCode == 0, evaluated.ToString());
        Assert.Contains($"Accuracy: {best[5]}/1000", evaluated.Stdout);
    }

    [Theory]
    [InlineData("2000")] // the default recipe: SGD with momentum (its buffers in the checkpoint), one-cycle per batch
    [InlineData("1000", "--optimizer", "adam", "--lr", "0.01", "--schedule", "plateau")] // Adam's step count and moments; a schedule on the test loss
    public void A_run_stopped_after_an_epoch_and_resumed_gives_the_numbers_and_weights_of_an_uninterrupted_run(string trainLimit, params string[] recipe)
    {
        string[] Args(string folder, params string[] more) =>
            new[] { "train", "small", "--epochs", "2", "--train-limit", trainLimit, "--test-limit", "500", "--threads", "1", "--output", Path.Combine(_work.FullName, folder) }
                .Concat(recipe).Concat(more).ToArray();

        var whole = TrainerProcess.Run(_work.FullName, Args("whole"));
        Assert.True(whole.ExitCode == 0, whole.ToString());
        var stopped = TrainerProcess.Run(_work.FullName, Args("parts", "--stop-after", "1"));
        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        Assert.Contains("Stopped after epoch 1 of 2", stopped.Stdout);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(_work.FullName, "parts", "metrics.csv")).Length);

        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", Path.Combine(_work.FullName, "parts"), "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Resuming small for 2 epochs", resumed.Stdout);

        Assert.Equal(WithoutSeconds("whole"), WithoutSeconds("parts"));
        Assert.Equal(File.ReadAllBytes(Path.Combine(_work.FullName, "whole", "last.safetensors")), File.ReadAllBytes(Path.Combine(_work.FullName, "parts", "last.safetensors")));
    }

    [Fact]
    public async System.Threading.Tasks.Task Ctrl_C_stops_after_the_current_batch_with_the_last_epoch_saved_and_the_run_resumes()
    {
        var run = Path.Combine(_work.FullName, "run");
        var interrupted = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(),
            new[] { "train", "small", "--epochs", "3", "--train-limit", "6000", "--test-limit", "500", "--threads", "1", "--output", run },
            (line, process) =>
            {
                // Epoch 1 is written once its test line is printed; interrupt epoch 2 as a user at the terminal would.
                if (line.StartsWith("Test set:", StringComparison.Ordinal) && !File.Exists(Path.Combine(run, "interrupted")))
                {
                    File.WriteAllText(Path.Combine(run, "interrupted"), "");
                    using var kill = Process.Start("kill", new[] { "-INT", process.Id.ToString(CultureInfo.InvariantCulture) });
                    kill.WaitForExit();
                }
            }, interruptible: true);

        Assert.True(interrupted.ExitCode == 130, interrupted.ToString());
        Assert.Contains("Stopped after epoch 1 of 3", interrupted.Stdout);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);

        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(4, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
    }

    private string[] WithoutSeconds(string folder) =>
        File.ReadAllLines(Path.Combine(_work.FullName, folder, "metrics.csv")).Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();
}
