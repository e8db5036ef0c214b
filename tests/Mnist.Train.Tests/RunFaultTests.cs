using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Mnist.Dsl.Training.Serialization;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>
/// Runs that go wrong while training (docs/robustness.md): a loss that diverges, two runs on one folder, SIGTERM, a
/// write that fails, data that changed under a run. Each keeps the run folder's last good state and says so in one line.
/// </summary>
public sealed class RunFaultTests : IDisposable
{
    private const int SigKill = 9, SigTerm = 15; // Linux x86-64 and arm64

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-faults-");

    public void Dispose() => _work.Delete(recursive: true);

    private string Folder(string name) => Path.Combine(_work.FullName, name);

    private static string[] Tiny(string output, params string[] more) =>
        new[] { "train", "small", "--engine", "generated", "--train-limit", "1024", "--test-limit", "200", "--output", output }.Concat(more).ToArray();

    // fast at lr 10 without a schedule: the weights grow ~1e12 per epoch on 1,024 images; in epoch 2 a BatchNorm
    // running variance overflows to infinity while the loss is still finite (the end-of-epoch check catches it).
    [Theory]
    [InlineData("generated")]
    [InlineData("torch")]
    public void A_run_whose_state_becomes_non_finite_stops_with_exit_3_keeps_its_last_good_epoch_and_eval_refuses_non_finite_weights(string engine)
    {
        var run = Folder("run");
        string[] args = { "train", "fast", "--engine", engine, "--schedule", "none", "--lr", "10", "--epochs", "5", "--train-limit", "1024", "--test-limit", "200", "--output", run };
        var diverged = TrainerProcess.Run(_work.FullName, args);
        Assert.True(diverged.ExitCode == 3, diverged.ToString());
        var line = Assert.Single(diverged.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Matches(@"^error: training diverged: .+ at (the end of )?epoch \d[,( ]+step \d+, learning rate 10\b.*Lower --lr", line);
        var epoch = int.Parse(System.Text.RegularExpressions.Regex.Match(line, @"epoch (\d)").Groups[1].Value, CultureInfo.InvariantCulture);

        // Nothing from the bad state: the checkpoint, metrics and weights are those of the epoch before, all finite.
        var checkpoint = Path.Combine(run, "checkpoint.safetensors");
        var tensors = SafeTensorsFile.Read(checkpoint, out var metadata);
        Assert.Equal((epoch - 1).ToString(CultureInfo.InvariantCulture), metadata["epoch"]);
        Assert.Equal(epoch, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + the good epochs
        foreach (var file in new[] { checkpoint, Path.Combine(run, "last.safetensors"), Path.Combine(run, "best.safetensors") })
            foreach (var (name, tensor) in SafeTensorsFile.Read(file, out _).Where(t => t.Value.Dtype == "F32"))
                Assert.True(tensor.AsFloat32().All(float.IsFinite), $"{file}: {name} is not finite");

        // The last good checkpoint resumes (and, the recipe being deterministic, diverges at the same place).
        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume", "--engine", engine);
        Assert.True(resumed.ExitCode == 3, resumed.ToString());
        Assert.Contains($"epoch {epoch}", resumed.Stderr);

        // eval of weights holding NaN: one line naming the file and the tensor.
        var nan = Folder("nan.safetensors");
        var weights = SafeTensorsFile.Read(Path.Combine(run, "last.safetensors"), out _);
        var first = weights.First(t => t.Value.Dtype == "F32");
        var values = first.Value.AsFloat32();
        values[0] = float.NaN;
        SafeTensorsFile.Write(nan, weights.Select(t => t.Key == first.Key ? new(t.Key, RawTensor.Float32(values, t.Value.Shape)) : t));
        var evaluated = TrainerProcess.Run(_work.FullName, "eval", "fast", "--weights", nan, "--test-limit", "200", "--engine", engine);
        Assert.True(evaluated.ExitCode == 2, evaluated.ToString());
        Assert.Equal($"error: {nan} holds 1 NaN or infinite values in {first.Key} (of {values.Length:N0}): these weights come from a run that diverged; evaluate another file, or train again with a lower --lr.",
            evaluated.Stderr.Trim());
    }

    [Fact]
    public async Task A_folder_held_by_a_run_is_refused_naming_its_process_and_resumes_without_cleanup_once_that_run_is_killed()
    {
        var run = Folder("run");
        Process? first = null;
        var trained = new ManualResetEventSlim();
        var holder = TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(), Tiny(run, "--epochs", "200"), (line, process) =>
        {
            first = process;
            if (line.StartsWith("Epoch 1:", StringComparison.Ordinal)) trained.Set();
        });
        Assert.True(trained.Wait(TimeSpan.FromMinutes(2)), "the first run trained no epoch in two minutes");

        var pid = first!.Id;
        var second = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume");
        var third = TrainerProcess.Run(_work.FullName, Tiny(Folder("run"), "--epochs", "200", "--seed", "2"));
        Kill(pid, SigKill);
        var killed = await holder;
        Assert.True(second.ExitCode == 2, second.ToString());
        Assert.Equal($"error: {run} is in use by another run (process {pid}): wait for it to end, or stop it, or choose another --output.", second.Stderr.Trim());
        Assert.Equal(2, third.ExitCode); // a new run into it is refused too (it holds a checkpoint, or is in use)
        Assert.Equal(137, killed.ExitCode);

        // No stale lock: the OS released it with the process.
        var rows = File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length - 1;
        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume", "--stop-after", (rows + 1).ToString(CultureInfo.InvariantCulture));
        Assert.True(resumed.ExitCode == 130, resumed.ToString());
        Assert.Equal(rows + 2, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
    }

    [Fact]
    public async Task SIGTERM_inside_an_epoch_saves_it_at_the_batch_and_the_resumed_run_ends_with_the_bits_of_an_uninterrupted_one()
    {
        // 4,096 images in batches of 8: 512 batches an epoch, a couple of seconds on 2 cores, so that a signal sent
        // half an epoch in lands inside a training epoch even when the test host is busy with other test projects.
        string[] Run(string folder) => new[] { "train", "small", "--engine", "generated", "--train-limit", "4096", "--test-limit", "200",
            "--output", folder, "--epochs", "3", "--batch-size", "8" };
        var whole = TrainerProcess.Run(_work.FullName, Run(Folder("whole")));
        Assert.True(whole.ExitCode == 0, whole.ToString());

        // SIGTERM half an epoch after epoch 1's test line: inside epoch 2, or (on a busier machine) epoch 3. Half of what
        // epoch 2 took in the whole run, not a fixed delay: a fixed 300 ms outlasted a whole epoch once the engine got faster.
        var epoch2 = Regex.Match(whole.Stdout, @"Epoch 2: .*, (?<seconds>[0-9.]+) s");
        Assert.True(epoch2.Success, whole.ToString());
        var half = TimeSpan.FromSeconds(double.Parse(epoch2.Groups["seconds"].Value, CultureInfo.InvariantCulture) / 2);
        var signalled = 0;
        var stopped = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(), Run(Folder("parts")), (line, process) =>
        {
            if (line.StartsWith("Test set", StringComparison.Ordinal) && Interlocked.Exchange(ref signalled, 1) == 0)
                Task.Delay(half).ContinueWith(_ => Kill(process.Id, SigTerm));
        });
        Assert.True(stopped.ExitCode == 130, stopped.ToString());
        Assert.Matches(@"Saved epoch [23] at batch \d+ of 512 in the checkpoint; --resume continues from there\.", stopped.Stdout);
        Assert.Contains("SIGTERM: stopping after this batch", stopped.Stderr);

        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", Folder("parts"), "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(WithoutSeconds("whole"), WithoutSeconds("parts"));
        foreach (var file in new[] { "last.safetensors", "best.safetensors", "checkpoint.safetensors" })
            Assert.True(File.ReadAllBytes(Path.Combine(Folder("whole"), file)).SequenceEqual(File.ReadAllBytes(Path.Combine(Folder("parts"), file))), $"{file} differs");
    }

    [Fact]
    public void A_write_that_fails_leaves_the_previous_checkpoint_and_weights_whole_says_so_in_one_line_and_the_run_resumes_once_it_can_write()
    {
        var run = Folder("run");
        var first = TrainerProcess.Run(_work.FullName, Tiny(run, "--epochs", "2", "--stop-after", "1"));
        Assert.True(first.ExitCode == 130, first.ToString());
        var checkpoint = Path.Combine(run, "checkpoint.safetensors");
        var before = File.ReadAllBytes(checkpoint);

        // A directory where plot.svg goes: the rename onto it fails, as a write on a full disk or a removed folder does (as root, a read-only folder would not stop it).
        File.Delete(Path.Combine(run, "plot.svg"));
        Directory.CreateDirectory(Path.Combine(run, "plot.svg"));
        var failed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume");
        Assert.True(failed.ExitCode == 4, failed.ToString());
        var line = Assert.Single(failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: could not write epoch 2 to {run}: ", line);
        Assert.EndsWith("The folder still holds epoch 1 whole: its checkpoint and weights load, and --resume continues from it once the folder is writable.", line);
        Assert.Equal(before, File.ReadAllBytes(checkpoint));
        SafeTensorsFile.Read(checkpoint, out var metadata);
        Assert.Equal("1", metadata["epoch"]);
        Assert.NotEmpty(SafeTensorsFile.Read(Path.Combine(run, "last.safetensors"), out _));
        Assert.Empty(Directory.GetFiles(run, ".*.tmp"));

        Directory.Delete(Path.Combine(run, "plot.svg"));
        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume");
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length);
    }

    [Fact]
    public void Resume_with_other_MNIST_files_is_refused_in_one_line_and_with_the_runs_own_it_continues()
    {
        var mnist = TrainerProcess.MnistFolder();
        var same = Directory.CreateDirectory(Folder("same")).FullName;
        var other = Directory.CreateDirectory(Folder("other")).FullName;
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
        {
            var source = Path.Combine(mnist, name);
            File.CreateSymbolicLink(Path.Combine(same, name), source);
            if (name != "t10k-labels-idx1-ubyte") File.CreateSymbolicLink(Path.Combine(other, name), source);
        }
        // One test label changed: the same size, other content.
        var labels = File.ReadAllBytes(Path.Combine(mnist, "t10k-labels-idx1-ubyte"));
        labels[^1] = (byte)((labels[^1] + 1) % 10);
        File.WriteAllBytes(Path.Combine(other, "t10k-labels-idx1-ubyte"), labels);

        var run = Folder("run");
        var first = TrainerProcess.Run(_work.FullName, Tiny(run, "--epochs", "2", "--stop-after", "1", "--data", same));
        Assert.True(first.ExitCode == 130, first.ToString());
        var refused = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume", "--data", other);
        Assert.True(refused.ExitCode == 2, refused.ToString());
        var line = Assert.Single(refused.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: cannot resume {run} on other data: t10k-labels-idx1-ubyte is 10,008 bytes, sha256 ", line);
        Assert.EndsWith("Pass the run's --data, or start a new run.", line);

        var resumed = TrainerProcess.Run(_work.FullName, "train", "--output", run, "--resume", "--data", same);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
    }

    private string[] WithoutSeconds(string folder) =>
        File.ReadAllLines(Path.Combine(Folder(folder), "metrics.csv")).Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();
}
