using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using Mnist.Dsl.Data;
using Mnist.Dsl.Training.Data;
using Mnist.Dsl.Training.Runtime;
using Mnist.Dsl.Training.Serialization;
using Mnist.Train;
using TorchSharp;

// The trainer's command line: list, summary, train (the default command), eval.
// First, before libtorch allocates anything: keep its freed buffers in the heap (see MallocTuning).
MallocTuning.Apply();
var data = new Option<string>("--data") { Description = "folder holding the MNIST IDX files (default: $MNIST_DIR, else the cache ./build.sh fetch-data fills)", DefaultValueFactory = _ => MnistDataset.DefaultFolder() };
var output = new Option<string?>("--output") { Description = "run folder to write (default: runs/<model>-<UTC time>)" };
var stopAfter = TrainOptions.Validated(new Option<int>("--stop-after") { Description = "stop, as Ctrl-C would, once this many epochs are done (0: run them all); the schedule still spans --epochs and --resume continues" }, TrainOptions.NotNegative);
var resume = new Option<bool>("--resume") { Description = "continue the run in --output from its checkpoint; options not given are the run's own" };

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
train.SetAction(parse => Guarded(() =>
{
    var requested = TrainSettings.Parse(parse);
    var isResume = parse.GetValue(resume);
    RunFolder run;
    TrainSettings settings;
    if (isResume)
    {
        var folder = parse.GetValue(output) ?? throw new UserError("--resume needs --output <run folder> naming the run to continue.");
        run = new RunFolder(folder);
        if (!File.Exists(run.Settings) || !File.Exists(run.Checkpoint))
            throw new UserError($"{run.Path} holds no run to resume (settings.json and checkpoint.safetensors are written after the first epoch).");
        var saved = TrainSettings.FromJson(File.ReadAllText(run.Settings), run.Settings);
        // Options given on this command line must agree with the run; the others are taken from it.
        settings = saved.WithGiven(parse, requested);
        var differences = settings.Differences(saved);
        if (differences.Count > 0)
            throw new UserError($"cannot resume {run.Path} with other settings: {string.Join("; ", differences)}. Drop those options, or start a new run.");
        // A run killed while writing (SIGKILL, power loss) leaves its temporaries; its files are the last whole ones.
        if (run.DeleteUnfinishedWrites() is > 0 and var leftovers)
            Console.WriteLine($"Deleted {leftovers} unfinished write{(leftovers == 1 ? "" : "s")} of the stopped run.");
    }
    else
    {
        settings = requested;
        run = parse.GetValue(output) is { } folder ? new RunFolder(folder) : RunFolder.New(settings.Model);
        if (File.Exists(run.Checkpoint))
            throw new UserError($"{run.Path} already holds a run; add --resume to continue it, or choose another --output.");
    }

    var entry = ModelCatalog.Find(settings.Model);
    var dataFolder = parse.GetValue(data)!;
    MnistFiles.Locate(dataFolder); // a missing file is reported before anything is written
    NativeRuntime.EnsureLoaded(); // and so is a runtime that cannot load
    run.Create();
    if (!isResume)
    {
        run.Write(run.Settings, settings.ToJson());
        run.Write(run.Summary, entry.Summary.ToTable() + "\n" + entry.Summary.ToDetailTable() + "\n");
    }
    File.AppendAllText(run.Command, $"{DateTime.UtcNow:O} Mnist.Train {string.Join(" ", args.Select(Quote))} (data: {dataFolder})\n");

    Console.WriteLine(entry.Summary.ToTable());
    Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0} {1} for {2} epochs: {3}, lr {4}, {5}, batch {6}, augmentation {7}, seed {8}, {9} threads; writing {10}",
        isResume ? "Resuming" : "Training", entry.Name, settings.Epochs, settings.Optimizer, settings.LearningRate, settings.Schedule, settings.BatchSize,
        settings.Augment ? "on" : "off", settings.Seed, settings.Threads, run.Path));

    using var stop = new CancellationTokenSource();
    ConsoleCancelEventHandler onCancel = (_, e) =>
    {
        // The first Ctrl-C stops after the current batch; files being written are finished first. A second one kills.
        e.Cancel = !stop.IsCancellationRequested;
        stop.Cancel();
        Console.Error.WriteLine("Stopping after this batch (Ctrl-C again to kill)...");
    };
    Console.CancelKeyPress += onCancel;
    try
    {
        var stopAfterEpochs = parse.GetValue(stopAfter);
        var outcome = Trainer.Run(settings, entry, dataFolder, run, isResume, new EpochProgress(), result =>
        {
            Console.WriteLine(result.TrainLine);
            Console.WriteLine(result.TestLine);
            if (result.Epoch == stopAfterEpochs) stop.Cancel();
        }, stop.Token);
        if (outcome.Stopped)
        {
            Console.WriteLine($"Stopped after epoch {outcome.Epochs.Count} of {settings.Epochs}; {run.Path} holds it. Continue with: train --output {Quote(run.Path)} --resume");
            return 130;
        }
        var best = outcome.Epochs.MaxBy(r => r.TestCorrect)!;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "Best test accuracy {0:F2}% (epoch {1}); run folder {2}", best.TestAccuracy, best.Epoch, run.Path));
        return 0;
    }
    finally
    {
        Console.CancelKeyPress -= onCancel;
    }

}));

var list = new Command("list", "list the networks with their parameter counts and receptive fields");
list.SetAction(_ => Guarded(() =>
{
    foreach (var m in ModelCatalog.All)
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-10} {1,8:N0} parameters  RF {2,3}  {3}", m.Name, m.Summary.TotalParameters, m.Summary.ReceptiveField, m.Description));
    return 0;
}));

var summaryModel = new Argument<string>("model") { Description = "network to describe" };
var summary = new Command("summary", "print a network's torchsummary table, then receptive field, jump and multiply-adds per layer") { summaryModel };
summary.SetAction(parse => Guarded(() =>
{
    var entry = ModelCatalog.Find(parse.GetValue(summaryModel)!);
    Console.WriteLine(entry.Summary.ToTable());
    Console.WriteLine();
    Console.WriteLine(entry.Summary.ToDetailTable());
    return 0;
}));

var evalModel = new Argument<string>("model") { Description = "network the weights belong to" };
var weights = new Option<string>("--weights") { Description = "safetensors file written by train (best.safetensors, last.safetensors) or by PyTorch", Required = true };
var evaluate = new Command("eval", "evaluate saved weights on the MNIST test set") { evalModel, weights, data, TrainOptions.Threads.Option, TrainOptions.TestLimit.Option };
evaluate.SetAction(parse => Guarded(() =>
{
    var entry = ModelCatalog.Find(parse.GetValue(evalModel)!);
    NativeRuntime.EnsureLoaded();
    torch.set_num_threads(TrainOptions.Threads.Value(parse));
    using var model = entry.Create();
    model.LoadWeights(parse.GetValue(weights)!, entry, ModelCatalog.All); // names the network a file of another one fits
    ChannelsLast.Apply(model);
    using var test = MnistDataset.Load(parse.GetValue(data)!, train: false);
    using var scope = torch.NewDisposeScope();
    var (images, labels) = Trainer.Limit(test, TrainOptions.TestLimit.Value(parse));
    var (loss, correct) = Trainer.Evaluate(model, images, labels);
    Console.WriteLine(EpochResult.FormatTestLine(loss, correct, labels.shape[0]));
    return 0;
}));

var root = new RootCommand("Mnist.Train: train the DSL-declared networks on MNIST (no command: train the default network)") { train, list, summary, evaluate };
root.SetAction(_ => train.Parse(Array.Empty<string>()).Invoke());

var parsed = root.Parse(args);
if (parsed.Errors.Count > 0)
{
    // One line per mistake and a pointer to help, not the whole help text.
    foreach (var error in parsed.Errors) Console.Error.WriteLine($"error: {error.Message.ReplaceLineEndings(" ")}");
    Console.Error.WriteLine($"See: Mnist.Train {parsed.CommandResult.Command.Name} --help");
    return 2;
}
return parsed.Invoke(new InvocationConfiguration { ProcessTerminationTimeout = null });

// Expected failures (bad input, missing or damaged files, no libtorch) are one line and exit code 2, never a stack trace.
static int Guarded(Func<int> action)
{
    try
    {
        return action();
    }
    catch (Exception e) when (e is UserError or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or NativeRuntimeException)
    {
        Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings("; ")}");
        return 2;
    }
}

static string Quote(string arg) => arg.Length > 0 && arg.All(c => char.IsLetterOrDigit(c) || "-_./=:,+@%".Contains(c)) ? arg : "'" + arg.Replace("'", "'\\''") + "'";
