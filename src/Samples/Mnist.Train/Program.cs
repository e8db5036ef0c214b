using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Mnist.Torch.Data;
using Mnist.Train;

// The trainer's command line: list, summary, train (the default command).
var modelArgument = new Argument<string>("model") { Description = "network to use (see `list`)", DefaultValueFactory = _ => ModelCatalog.Default };
var epochs = new Option<int>("--epochs") { Description = "epochs to train", DefaultValueFactory = _ => 15 };
var batchSize = new Option<int>("--batch-size") { Description = "images per batch", DefaultValueFactory = _ => 128 };
var optimizer = new Option<OptimizerKind>("--optimizer") { Description = "sgd (momentum 0.9) or adam", DefaultValueFactory = _ => OptimizerKind.Sgd };
var learningRate = new Option<double>("--lr") { Description = "learning rate (the peak, for one-cycle)", DefaultValueFactory = _ => 0.05 };
var schedule = new Option<ScheduleKind>("--schedule") { Description = "onecycle, step, plateau or none", DefaultValueFactory = _ => ScheduleKind.OneCycle };
var noAugment = new Option<bool>("--no-augment") { Description = "train without random rotation" };
var seed = new Option<long>("--seed") { Description = "random seed (weights, order, dropout, augmentation)", DefaultValueFactory = _ => 1 };
var threads = new Option<int>("--threads") { Description = "libtorch threads", DefaultValueFactory = _ => 2 };
var data = new Option<string>("--data") { Description = "folder holding the MNIST IDX files (default: $MNIST_DIR, else the cache ./build.sh fetch-data fills)", DefaultValueFactory = _ => MnistDataset.DefaultFolder() };

var train = new Command("train", "train a network on MNIST and print the test accuracy after each epoch") { modelArgument, epochs, batchSize, optimizer, learningRate, schedule, noAugment, seed, threads, data };
train.SetAction(parse => Guarded(() =>
{
    var entry = ModelCatalog.Find(parse.GetValue(modelArgument)!);
    var settings = new TrainSettings(entry.Name, Positive(parse.GetValue(epochs), "--epochs"), Positive(parse.GetValue(batchSize), "--batch-size"),
        parse.GetValue(optimizer), parse.GetValue(learningRate), parse.GetValue(schedule), !parse.GetValue(noAugment), parse.GetValue(seed),
        Positive(parse.GetValue(threads), "--threads"), parse.GetValue(data)!);
    Console.WriteLine(entry.Summary.ToTable());
    Console.WriteLine($"Training {entry.Name} for {settings.Epochs} epochs: {settings.Optimizer}, lr {settings.LearningRate.ToString(CultureInfo.InvariantCulture)}, {settings.Schedule}, batch {settings.BatchSize}, augmentation {(settings.Augment ? "on" : "off")}, seed {settings.Seed}, {settings.Threads} threads");
    Trainer.Run(settings, entry, result =>
    {
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "Epoch {0}: train loss {1:F4}, accuracy {2:F2}%, lr {3:G4}, {4:F1} s",
            result.Epoch, result.TrainLoss, result.TrainAccuracy, result.LearningRate, result.Seconds));
        Console.WriteLine(result.TestLine);
    });
}));

var list = new Command("list", "list the networks with their parameter counts and receptive fields");
list.SetAction(_ => Guarded(() =>
{
    foreach (var m in ModelCatalog.All)
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "{0,-10} {1,8:N0} parameters  RF {2,3}  {3}", m.Name, m.Summary.TotalParameters, m.Summary.ReceptiveField, m.Description));
}));

var summaryModel = new Argument<string>("model") { Description = "network to describe" };
var summary = new Command("summary", "print a network's torchsummary table, then receptive field, jump and multiply-adds per layer") { summaryModel };
summary.SetAction(parse => Guarded(() =>
{
    var entry = ModelCatalog.Find(parse.GetValue(summaryModel)!);
    Console.WriteLine(entry.Summary.ToTable());
    Console.WriteLine();
    Console.WriteLine(entry.Summary.ToDetailTable());
}));

var root = new RootCommand("Mnist.Train: train the DSL-declared networks on MNIST (default: train the default network)") { train, list, summary };
root.SetAction(parse => train.Parse(Array.Empty<string>()).Invoke());
return root.Parse(args).Invoke();

// Expected failures (bad input, missing files) are one line and exit code 2, never a stack trace.
static int Guarded(Action action)
{
    try
    {
        action();
        return 0;
    }
    catch (Exception e) when (e is UserError or FileNotFoundException or DirectoryNotFoundException or InvalidDataException or Mnist.Torch.TorchNotInstalledException)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
}

static int Positive(int value, string option) => value > 0 ? value : throw new UserError($"{option} must be positive, not {value}.");
