using System.CommandLine;
using Mnist.Dsl.Data;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// <c>train</c>: a new run or, with --resume, the continuation of one; on the generated engine or TorchSharp. After
/// each epoch it prints the seeds' test line and rewrites the run folder.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(ModelCatalog catalog, Option<string> data, string program, string[] args)
    {
        var output = new Option<string?>("--output") { Description = "run folder to write (default: runs/<model>-<UTC time>)" };
        var stopAfter = TrainOptions.Validated(
            new Option<int>("--stop-after")
            {
                Description = "stop, as Ctrl-C would, once this many epochs are done (0: run them all); "
                    + "the schedule still spans --epochs and --resume continues",
            },
            TrainOptions.NotNegative);
        var resume = new Option<bool>("--resume")
        {
            Description = "continue the run in --output from its checkpoint; options not given are the run's own",
        };

        var train = new Command("train", "train a network on MNIST, printing the test accuracy after each epoch and writing a run folder")
        {
            data, output, resume, stopAfter,
        };
        // The settings' options come from their one table (TrainOptions), which also reads and writes settings.json.
        foreach (var setting in TrainOptions.All)
        {
            if (setting.Symbol is Option option) train.Options.Add(option);
            else train.Arguments.Add((Argument)setting.Symbol);
        }
        train.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var requested = TrainSettings.Parse(parse);
            var named = catalog.Find(requested.Model);
            requested = requested with { Model = named.Name, Engine = EngineFor(named, requested.Engine, TrainOptions.Engine.IsGiven(parse)) };
            var isResume = parse.GetValue(resume);
            RunFolder run;
            TrainSettings settings;
            if (isResume)
            {
                var folder = parse.GetValue(output) ?? throw new UserError("--resume needs --output <run folder> naming the run to continue.");
                run = new RunFolder(folder);
                if (!File.Exists(run.Settings) || !File.Exists(run.Checkpoint))
                    throw new UserError(
                        $"{run.Path} holds no run to resume (settings.json and checkpoint.safetensors are written after the first epoch).");
                var saved = TrainSettings.FromJson(File.ReadAllText(run.Settings), run.Settings);
                // Options given on this command line must agree with the run; the others are taken from it.
                settings = saved.WithGiven(parse, requested);
                var differences = settings.Differences(saved);
                if (differences.Count > 0)
                    throw new UserError(
                        $"cannot resume {run.Path} with other settings: {string.Join("; ", differences)}. Drop those options, or start a new run.");
            }
            else
            {
                settings = requested;
                run = parse.GetValue(output) is { } folder ? new RunFolder(folder) : RunFolder.New(settings.Model);
                if (File.Exists(run.Checkpoint))
                    throw new UserError($"{run.Path} already holds a run; add --resume to continue it, or choose another --output.");
            }

            var entry = catalog.Find(settings.Model);
            var dataFolder = parse.GetValue(data)!;
            MnistFiles.Locate(dataFolder); // a missing file is reported before anything is written
            // The backend checks the settings and loads what it needs first (a runtime that cannot load is reported here too).
            using var training = TrainingBackends.For(settings.Engine).Start(settings, entry, dataFolder);
            // One run per folder, from here to the process's end (the OS releases the lock however it ends).
            using var runLock = RunLock.Acquire(run);
            // A run killed while writing (SIGKILL, power loss) leaves its temporaries; its files are the last whole ones.
            if (isResume && run.DeleteUnfinishedWrites() is > 0 and var leftovers)
                Console.WriteLine($"Deleted {leftovers} unfinished write{(leftovers == 1 ? "" : "s")} of the stopped run.");
            DataFingerprint.Check(run, dataFolder, isResume);
            if (!isResume)
            {
                run.Write(run.Settings, settings.ToJson());
                run.Write(run.Summary, entry.Summary.ToTable() + "\n" + entry.Summary.ToDetailTable() + "\n");
            }
            File.AppendAllText(run.Command,
                $"{DateTime.UtcNow:O} {program} {string.Join(" ", args.Select(MnistTrainer.Quote))} (data: {dataFolder})\n");

            Console.WriteLine(entry.Summary.ToTable());
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
                "{0} {1} for {2} epochs: {3}, lr {4}, {5}, batch {6}, augmentation {7}, seed {8}, {9} threads, engine {10}; writing {11}",
                isResume ? "Resuming" : "Training", entry.Name, settings.Epochs, settings.Optimizer, settings.LearningRate, settings.Schedule,
                settings.BatchSize,
                settings.Augment ? "on" : "off", settings.Seed, settings.Threads, settings.Engine.ToString().ToLowerInvariant(), run.Path));

            // The first Ctrl-C or SIGTERM stops after the current batch; files being written are finished first.
            using var stop = new StopSignals();
            var stopAfterEpochs = parse.GetValue(stopAfter);
            Action<EpochResult> onEpoch = result =>
            {
                Console.WriteLine(result.TrainLine);
                Console.WriteLine(result.TestLine);
                if (result.Epoch == stopAfterEpochs) stop.Request();
            };
            var outcome = TrainingLoop.Run(training, settings, run, entry, dataFolder, isResume, new EpochProgress(), onEpoch, stop.Token);
            if (outcome.Stopped && !File.Exists(run.Checkpoint))
            {
                Console.WriteLine($"Stopped before the first batch was trained; {run.Path} holds nothing to resume: run the same command again.");
                return ExitCodes.Stopped;
            }
            if (outcome.Stopped)
            {
                Console.WriteLine($"Stopped after epoch {outcome.Epochs.Count} of {settings.Epochs}; {run.Path} holds it. Continue with: " +
                    $"train --output {MnistTrainer.Quote(run.Path)} --resume");
                return ExitCodes.Stopped;
            }
            var best = outcome.Epochs.MaxBy(r => r.TestCorrect)!;
            Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "Best test accuracy {0:F2}% (epoch {1}); run folder {2}; report {3}",
                best.TestAccuracy, best.Epoch, run.Path, run.Report));
            return ExitCodes.Done;
        }));
        return train;
    }

    /// <summary>
    /// The engine of a new run: the one asked for; by default the plain-C# engine (the faster on the default network,
    /// for C# classes and F# lists alike), or TorchSharp for a network the engine cannot train (a layer beyond its limits)
    /// when the program references the TorchSharp backend.
    /// </summary>
    private static EngineKind EngineFor(RegisteredNetwork network, EngineKind requested, bool given)
    {
        if (requested == EngineKind.Torch || network.HasTrainer) return requested;
        if (given || TrainingBackends.Torch is null)
            throw new UserError($"{network.Name} has no trainer on the engine{Reason(network)}, so it cannot train on --engine generated"
                + (TrainingBackends.Torch is null ? "; the TorchSharp backend (packages Mnist.Dsl.TorchSharp and TorchSharp-cpu) could train it."
                    : "; use --engine torch."));
        // Said, not only shown in the "engine torch" of the next line: the default is the engine.
        Console.WriteLine($"{network.Name} has no trainer on the engine{Reason(network)}: training on TorchSharp (--engine torch).");
        return EngineKind.Torch;
    }

    /// <summary>Why the engine cannot train the network (a layer beyond its limits), in brackets; empty when it does not say.</summary>
    private static string Reason(RegisteredNetwork network) => network.NoTrainerReason is { } reason ? $" ({reason})" : "";
}
