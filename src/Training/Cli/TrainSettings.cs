using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mnist.Dsl.Training.Cli;

public enum OptimizerKind { Sgd, Adam }

public enum ScheduleKind { OneCycle, Step, Plateau, None }

/// <summary>What computes the training steps: the network's generated plain-C# trainer, or TorchSharp (libtorch).</summary>
public enum EngineKind { Generated, Torch }

/// <summary>
/// Everything that decides a training run's numbers: with the same settings, the same numbers. Each property is a
/// row of <see cref="TrainOptions"/>, which reads it from the command line and settings.json and compares it on --resume.
/// </summary>
internal sealed record TrainSettings
{
    public string Model { get; init; } = "";
    public EngineKind Engine { get; init; }
    public int Epochs { get; init; }
    public int BatchSize { get; init; }
    public OptimizerKind Optimizer { get; init; }
    public double LearningRate { get; init; }
    public ScheduleKind Schedule { get; init; }
    public bool Augment { get; init; }
    public long Seed { get; init; }
    public int Threads { get; init; }
    public int TrainLimit { get; init; }
    public int TestLimit { get; init; }
    public int StepSize { get; init; }
    public double Warmup { get; init; }
    public double Ema { get; init; }
    public bool Onnx { get; init; }

    /// <summary>SGD's momentum, the seeds' 0.9 (one-cycle cycles it between 0.85 and 0.95).</summary>
    public const double SgdMomentum = 0.9;

    /// <summary>The rotation range of --augment, the seeds' ±7 degrees; 0 without augmentation.</summary>
    public double RotationDegrees => Augment ? 7 : 0;

    /// <summary>Epochs between the step schedule's ×0.1 drops: --step-size, else a third of the run.</summary>
    public int StepEpochs => StepSize > 0 ? StepSize : Math.Max(1, Epochs / 3);

    /// <summary>Every setting at its default.</summary>
    public static TrainSettings Defaults => TrainOptions.All.Aggregate(new TrainSettings(), (s, o) => o.WithDefault(s));

    /// <summary>The settings a command line asks for (defaults where it gives none).</summary>
    public static TrainSettings Parse(System.CommandLine.ParseResult parse) =>
        TrainOptions.All.Aggregate(new TrainSettings(), (s, o) => o.WithParsed(parse, s));

    /// <summary>A run's settings with the options this command line gives; the others stay the run's.</summary>
    public TrainSettings WithGiven(System.CommandLine.ParseResult parse, TrainSettings requested) =>
        TrainOptions.All.Where(o => o.IsGiven(parse)).Aggregate(this, (s, o) => o.WithValueOf(requested, s));

    /// <summary>"--epochs 20 (the run has 15)" for each setting that must match on --resume and differs.</summary>
    public IReadOnlyList<string> Differences(TrainSettings run) =>
        TrainOptions.All.Where(o => o.MustMatchOnResume).Select(o => o.Difference(this, run)).OfType<string>().ToList();

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            foreach (var option in TrainOptions.All) option.WriteJson(writer, this, Json);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static TrainSettings FromJson(string json, string path)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw new UserError($"{path} holds no settings.");
            return TrainOptions.All.Aggregate(Defaults, (s, o) => o.WithJson(document.RootElement, s, Json));
        }
        catch (JsonException e)
        {
            throw new UserError($"{path} is not a settings file: {e.Message}");
        }
    }
}

/// <summary>A mistake in what the user asked for: printed as one line, exit code 2.</summary>
internal sealed class UserError(string message) : Exception(message);
