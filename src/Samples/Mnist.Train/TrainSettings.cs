using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Mnist.Train;

public enum OptimizerKind { Sgd, Adam }

public enum ScheduleKind { OneCycle, Step, Plateau, None }

/// <summary>Everything that decides a training run's numbers: with the same settings, the same numbers.</summary>
internal sealed record TrainSettings(
    string Model,
    int Epochs,
    int BatchSize,
    OptimizerKind Optimizer,
    double LearningRate,
    ScheduleKind Schedule,
    bool Augment,
    long Seed,
    int Threads,
    int TrainLimit,
    int TestLimit,
    int StepSize = 0)
{
    /// <summary>Epochs between the step schedule's ×0.1 drops: --step-size, else a third of the run.</summary>
    public int StepEpochs => StepSize > 0 ? StepSize : Math.Max(1, Epochs / 3);

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public static TrainSettings FromJson(string json, string path) =>
        JsonSerializer.Deserialize<TrainSettings>(json, Json) ?? throw new UserError($"{path} holds no settings.");

    /// <summary>"name: this vs that" for each setting that differs, to say why a run cannot be resumed with other settings.</summary>
    public IReadOnlyList<string> Differences(TrainSettings other)
    {
        var differences = new List<string>();
        void Compare<T>(string name, T mine, T theirs)
        {
            if (!EqualityComparer<T>.Default.Equals(mine, theirs))
                differences.Add(string.Format(CultureInfo.InvariantCulture, "{0} {1} (the run has {2})", name, mine, theirs));
        }
        Compare("model", Model, other.Model);
        Compare("--epochs", Epochs, other.Epochs);
        Compare("--batch-size", BatchSize, other.BatchSize);
        Compare("--optimizer", Optimizer, other.Optimizer);
        Compare("--lr", LearningRate, other.LearningRate);
        Compare("--schedule", Schedule, other.Schedule);
        Compare("--step-size", StepSize, other.StepSize);
        Compare("augmentation", Augment, other.Augment);
        Compare("--seed", Seed, other.Seed);
        Compare("--threads", Threads, other.Threads);
        Compare("--train-limit", TrainLimit, other.TrainLimit);
        Compare("--test-limit", TestLimit, other.TestLimit);
        return differences;
    }
}

/// <summary>A mistake in what the user asked for: printed as one line, exit code 2.</summary>
internal sealed class UserError(string message) : Exception(message);
