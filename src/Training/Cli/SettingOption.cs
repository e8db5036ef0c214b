using System.CommandLine;
using System.Text.Json;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// One setting of a training run, declared once: its command-line symbol (name, description, default, validation),
/// its settings.json property, and whether a value given with --resume must equal the run's. Parsing, settings.json,
/// the resume merge and the "cannot resume" message all go through <see cref="TrainOptions.All"/>, so a setting added
/// there is handled by each of them.
/// </summary>
internal abstract class SettingOption(string jsonName, bool mustMatchOnResume)
{
    /// <summary>The property's name in settings.json (as the record's snake_case serialisation wrote it, so old runs still read).</summary>
    public string JsonName { get; } = jsonName;

    /// <summary>A value given with --resume that differs from the run's is an error (the run's numbers depend on it).</summary>
    public bool MustMatchOnResume { get; } = mustMatchOnResume;

    public abstract Symbol Symbol { get; }

    /// <summary>The option or argument was on the command line (not its default).</summary>
    public bool IsGiven(ParseResult parse) => Symbol switch
    {
        Option o => parse.GetResult(o) is { Implicit: false },
        Argument a => parse.GetResult(a) is { Implicit: false },
        _ => false,
    };

    public abstract TrainSettings WithDefault(TrainSettings settings);

    public abstract TrainSettings WithParsed(ParseResult parse, TrainSettings settings);

    /// <summary>The value from settings.json; a property missing there (a run older than the setting) gets the value
    /// such runs had (the default unless the row says otherwise).</summary>
    public abstract TrainSettings WithJson(JsonElement json, TrainSettings settings, JsonSerializerOptions options);

    public abstract void WriteJson(Utf8JsonWriter writer, TrainSettings settings, JsonSerializerOptions options);

    public abstract TrainSettings WithValueOf(TrainSettings source, TrainSettings settings);

    /// <summary>"--epochs 20 (the run has 15)" when the two differ, else null.</summary>
    public abstract string? Difference(TrainSettings mine, TrainSettings run);
}

/// <summary>A setting whose value in <see cref="TrainSettings"/> is a <typeparamref name="T"/>.</summary>
internal sealed class SettingOption<T>(
    Symbol symbol, string jsonName, T defaultValue, Func<TrainSettings, T> get, Func<TrainSettings, T, TrainSettings> set,
    Func<T, T> fromCommandLine, Func<T, string> format, string label, bool mustMatchOnResume, (bool Given, T Value) whenMissingFromJson)
    : SettingOption(jsonName, mustMatchOnResume)
{
    public override Symbol Symbol { get; } = symbol;

    /// <summary>The symbol as an option, for another command that takes it too (eval's --threads).</summary>
    public Option<T> Option => Symbol as Option<T> ?? throw new InvalidOperationException($"{Symbol.Name} is an argument, not an option.");

    public override TrainSettings WithDefault(TrainSettings settings) => set(settings, fromCommandLine(defaultValue));

    public override TrainSettings WithParsed(ParseResult parse, TrainSettings settings) => set(settings, Value(parse));

    /// <summary>The value the command line gives (its default when not given), as the settings hold it.</summary>
    public T Value(ParseResult parse) =>
        fromCommandLine(Symbol is Option<T> o ? parse.GetValue(o)! : parse.GetValue((Argument<T>)Symbol)!);

    public override TrainSettings WithJson(JsonElement json, TrainSettings settings, JsonSerializerOptions options) =>
        json.TryGetProperty(JsonName, out var value) ? set(settings, value.Deserialize<T>(options)!)
        : whenMissingFromJson.Given ? set(settings, whenMissingFromJson.Value) : settings;

    public override void WriteJson(Utf8JsonWriter writer, TrainSettings settings, JsonSerializerOptions options)
    {
        writer.WritePropertyName(JsonName);
        JsonSerializer.Serialize(writer, get(settings), options);
    }

    public override TrainSettings WithValueOf(TrainSettings source, TrainSettings settings) => set(settings, get(source));

    public override string? Difference(TrainSettings mine, TrainSettings run) =>
        EqualityComparer<T>.Default.Equals(get(mine), get(run)) ? null
            : string.Format(CultureInfo.InvariantCulture, "{0} {1} (the run has {2})", label, format(get(mine)), format(get(run)));
}
