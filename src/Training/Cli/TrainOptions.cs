using System.CommandLine;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// The training settings' one table: each row is an option's name, description, default, validation, settings.json
/// property and whether --resume must match it (see <see cref="SettingOption"/>). The JSON names are the ones the
/// positional record wrote (snake_case, enums kebab-case), so settings.json of older runs still reads.
/// </summary>
internal static class TrainOptions
{
    // First: static fields initialise in textual order, and the rows below use these.
    internal static readonly (Func<int, bool>, string) Positive = (v => v > 0, "positive");

    internal static readonly (Func<int, bool>, string) NotNegative = (v => v >= 0, "0 or more");

    // The default is empty: the catalog's default network (the one named "default", else the first), which the
    // train command resolves, with any other name, to the network's registry name.
    public static readonly SettingOption<string> Model = Setting("model",
        "network to use (see `list`; default: the one named \"default\", else the first listed)", "", "model",
        s => s.Model, (s, v) => s with { Model = v });

    // A run's numbers depend on its engine (another random generator, other kernels): --resume keeps it. Runs
    // written before the option trained on TorchSharp, so a settings.json without it reads as torch.
    public static readonly SettingOption<EngineKind> Engine = Setting("--engine",
        "generated: the network's plain-C# trainer, no native library (on the default network it trained at 3.8x PyTorch's speed, " +
            "TorchSharp at 1.3x); "
        + "torch: TorchSharp/libtorch. Default: generated when the network has a generated trainer, else torch", EngineKind.Generated, "engine",
        s => s.Engine, (s, v) => s with { Engine = v }, whenMissingFromJson: EngineKind.Torch);

    public static readonly SettingOption<int> Epochs = Setting("--epochs", "epochs to train", 15, "epochs",
        s => s.Epochs, (s, v) => s with { Epochs = v }, Positive);

    public static readonly SettingOption<int> BatchSize = Setting("--batch-size", "images per batch", 128, "batch_size",
        s => s.BatchSize, (s, v) => s with { BatchSize = v }, Positive);

    public static readonly SettingOption<OptimizerKind> Optimizer = Setting("--optimizer", "sgd (momentum 0.9) or adam", OptimizerKind.Sgd,
        "optimizer",
        s => s.Optimizer, (s, v) => s with { Optimizer = v });

    public static readonly SettingOption<double> LearningRate = Setting("--lr", "learning rate (the peak, for one-cycle)", 0.1, "learning_rate",
        s => s.LearningRate, (s, v) => s with { LearningRate = v }, (v => v is > 0 and <= 10, "in (0, 10]"));

    public static readonly SettingOption<ScheduleKind> Schedule = Setting("--schedule",
        "onecycle (per batch), step (x0.1 every --step-size epochs), plateau (x0.1 when the test loss stalls) or none", ScheduleKind.OneCycle,
        "schedule",
        s => s.Schedule, (s, v) => s with { Schedule = v });

    public static readonly SettingOption<int> StepSize = Setting("--step-size",
        "epochs between the step schedule's x0.1 drops (0: a third of --epochs)", 0, "step_size",
        s => s.StepSize, (s, v) => s with { StepSize = v }, NotNegative);

    // Runs written before the option warmed up for PyTorch's default 30%.
    public static readonly SettingOption<double> Warmup = Setting("--warmup",
        "one-cycle: the fraction of the steps spent rising to the peak lr (PyTorch's pct_start); the rest anneals", 0.3, "warmup",
        s => s.Warmup, (s, v) => s with { Warmup = v }, (v => v is > 0 and < 1, "in (0, 1)"), whenMissingFromJson: 0.3);

    // Runs written before the option did not average.
    public static readonly SettingOption<double> Ema = Setting("--ema",
        "decay of an exponential moving average of the weights, per step (e.g. 0.99); the test passes and the saved weights use the average. 0: " +
            "off. Generated engine only", 0.0, "ema",
        s => s.Ema, (s, v) => s with { Ema = v }, (v => v is >= 0 and < 1, "in [0, 1)"), whenMissingFromJson: 0.0);

    // The flag says "off"; the setting (and settings.json) says whether augmentation is on.
    public static readonly SettingOption<bool> Augment = Setting("--no-augment", "train without random rotation (±7°)", false, "augment",
        s => s.Augment, (s, v) => s with { Augment = v }, fromCommandLine: noAugment => !noAugment,
        format: on => on ? "on" : "off", label: "augmentation");

    public static readonly SettingOption<long> Seed = Setting("--seed", "random seed (weights, order, dropout, augmentation)", 1L, "seed",
        s => s.Seed, (s, v) => s with { Seed = v });

    public static readonly SettingOption<int> Threads = Setting("--threads", "threads (libtorch's, or the generated engine's workers)", 2, "threads",
        s => s.Threads, (s, v) => s with { Threads = v }, Positive);

    public static readonly SettingOption<int> TrainLimit = Setting("--train-limit", "train on the first N training images only (0: all 60,000)", 0,
        "train_limit",
        s => s.TrainLimit, (s, v) => s with { TrainLimit = v }, NotNegative);

    public static readonly SettingOption<int> TestLimit = Setting("--test-limit", "test on the first N test images only (0: all 10,000)", 0,
        "test_limit",
        s => s.TestLimit, (s, v) => s with { TestLimit = v }, NotNegative);

    // Not a number of the run: --resume may add or drop it. Runs written before the option wrote no best.onnx.
    public static readonly SettingOption<bool> Onnx = Setting("--onnx",
        "also write best.onnx next to best.safetensors: the best weights as an ONNX model (opset 17, see `export`). Generated engine only", false,
        "onnx",
        s => s.Onnx, (s, v) => s with { Onnx = v }, format: on => on ? "on" : "off", mustMatchOnResume: false, whenMissingFromJson: false);

    /// <summary>Every setting, in the order the command line and settings.json list them.</summary>
    public static IReadOnlyList<SettingOption> All { get; } = new SettingOption[]
    {
        Model, Engine, Epochs, BatchSize, Optimizer, LearningRate, Schedule, StepSize, Warmup, Ema, Augment, Seed, Threads, TrainLimit, TestLimit,
        Onnx,
    };

    /// <summary>A row: "--name" makes an option, any other name the command's argument.</summary>
    private static SettingOption<T> Setting<T>(string name, string description, T defaultValue, string jsonName,
        Func<TrainSettings, T> get, Func<TrainSettings, T, TrainSettings> set, (Func<T, bool> Ok, string Requirement)? validation = null,
        Func<T, T>? fromCommandLine = null, Func<T, string>? format = null, string? label = null, bool mustMatchOnResume = true,
        object? whenMissingFromJson = null)
    {
        Symbol symbol = name.StartsWith("--", StringComparison.Ordinal)
            ? Validated(new Option<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue }, validation)
            : new Argument<T>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        return new SettingOption<T>(symbol, jsonName, defaultValue, get, set, fromCommandLine ?? (v => v),
            format ?? CommandLineSpelling, label ?? name, mustMatchOnResume, whenMissingFromJson is T legacy ? (true, legacy) : (false, default!));
    }

    /// <summary>A value as the command line takes it: enums in lower case (onecycle), numbers in the invariant culture.</summary>
    private static string CommandLineSpelling<T>(T value) => value switch
    {
        Enum e => e.ToString().ToLowerInvariant(),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "",
    };

    /// <summary>The option, with an error naming the requirement for a value outside it.</summary>
    internal static Option<T> Validated<T>(Option<T> option, (Func<T, bool> Ok, string Requirement)? validation)
    {
        if (validation is not var (ok, requirement)) return option;
        option.Validators.Add(r =>
        {
            T value;
            try
            {
                value = r.GetValueOrDefault<T>();
            }
            catch (InvalidOperationException)
            {
                return; // not a number at all: the parser has reported that already, and validators run regardless
            }
            if (!ok(value)) r.AddError(string.Format(CultureInfo.InvariantCulture, "{0} must be {1}, not {2}.", option.Name, requirement, value));
        });
        return option;
    }
}
