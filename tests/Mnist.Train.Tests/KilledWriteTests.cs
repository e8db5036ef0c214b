using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Mnist.Dsl.Training.Serialization;
using Xunit;

namespace Mnist.Train.Tests;

/// <summary>
/// A trainer killed (SIGKILL) in the middle of writing its checkpoint leaves the previous checkpoint whole: it
/// loads, it is byte for byte what it was, and --resume continues from it. "In the middle" is made certain, not
/// hoped for: when the checkpoint's temporary file appears, the trainer is frozen (SIGSTOP) and the test checks that
/// the temporary is still there, i.e. the rename has not happened yet, before it kills.
/// </summary>
public sealed class KilledWriteTests : IDisposable
{
    private const int SigKill = 9, SigStop = 19, SigCont = 18; // Linux x86-64 and arm64

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-killed-");

    public void Dispose() => _work.Delete(recursive: true);

    // Both engines write their checkpoints through AtomicFile; torch's holds its generator state ("rng"), the engine's
    // replays its generators from the seed and the step count in the metadata.
    [Theory]
    [InlineData("torch")]
    [InlineData("generated")]
    public async System.Threading.Tasks.Task A_checkpoint_write_killed_half_way_leaves_the_previous_checkpoint_whole_and_the_run_resumes(string engine)
    {
        var run = Path.Combine(_work.FullName, "run");
        Directory.CreateDirectory(run);
        var checkpoint = Path.Combine(run, "checkpoint.safetensors");
        // Tiny epochs: a checkpoint every few hundred milliseconds.
        string[] args = { "train", "small", "--epochs", "6", "--train-limit", "256", "--test-limit", "64", "--threads", "1", "--engine", engine, "--output", run };

        var created = new BlockingCollection<string>();
        using var watcher = new FileSystemWatcher(run, ".checkpoint.safetensors.*.tmp") { EnableRaisingEvents = true };
        watcher.Created += (_, e) => created.Add(e.FullPath);

        Process? trainer = null;
        var started = new ManualResetEventSlim();
        var training = TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolderFor(args), args, (_, process) => { trainer = process; started.Set(); });
        Assert.True(started.Wait(TimeSpan.FromMinutes(1)), "the trainer printed nothing for a minute");
        var pid = trainer!.Id;

        byte[]? previous = null;
        string? halfWritten = null;
        while (halfWritten is null && created.TryTake(out var temporary, TimeSpan.FromMinutes(1)))
        {
            Kill(pid, SigStop);
            if (File.Exists(temporary) && File.Exists(checkpoint))
            {
                (previous, halfWritten) = (File.ReadAllBytes(checkpoint), temporary);
                Kill(pid, SigKill);
            }
            else Kill(pid, SigCont); // the first checkpoint, or the rename already done: catch the next one
        }
        var killed = await training;
        Assert.True(halfWritten is not null, $"never caught a checkpoint write in progress\n{killed}");
        Assert.Equal(137, killed.ExitCode); // 128 + SIGKILL: it did not finish on its own

        Assert.Equal(previous, File.ReadAllBytes(checkpoint));
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var keys = SafeTensors.Load(checkpoint).Keys.ToArray(); // whole: it parses, and holds weights, optimizer state and generator state
            Assert.Contains(keys, k => k.StartsWith("model.", StringComparison.Ordinal));
            Assert.Contains(keys, k => k.StartsWith("optimizer.", StringComparison.Ordinal));
            if (engine == "torch") Assert.Contains("rng", keys);
            else
            {
                SafeTensorsFile.Read(checkpoint, out var metadata);
                Assert.True(long.Parse(metadata["steps"], System.Globalization.CultureInfo.InvariantCulture) > 0, string.Join(", ", metadata));
            }
        }
        Assert.True(File.Exists(halfWritten), "the killed write's temporary should still be there for --resume to clear");

        // The run's own trainer continues it (a torch run needs the build with the TorchSharp backend).
        var resumed = await TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolderFor(args), new[] { "train", "--output", run, "--resume" }, null);
        Assert.True(resumed.ExitCode == 0, resumed.ToString());
        Assert.Contains("Deleted 1 unfinished write of the stopped run.", resumed.Stdout);
        Assert.Equal(7, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header + 6 epochs
        Assert.Empty(Directory.GetFiles(run, ".*.tmp"));
    }
}
