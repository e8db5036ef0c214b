using System.Text.Json;

namespace Mnist.Dsl.Training.Report;

/// <summary>What a run folder says about its run: settings, metrics per epoch, the command lines that ran it.</summary>
internal sealed record RunRecord(RunFolder Folder, TrainSettings Settings, IReadOnlyList<EpochResult> Epochs, string Commands)
{
    /// <summary>The folder's name: how a comparison's legend names the run.</summary>
    public string Name => Path.GetFileName(Folder.Path.TrimEnd(Path.DirectorySeparatorChar));

    /// <summary>The first epoch of the most correct test images, as the trainer chose the best weights.</summary>
    public EpochResult? Best => Epochs.Count == 0 ? null : Epochs.MaxBy(r => r.TestCorrect);

    /// <summary>Each setting by its settings.json name, as written.</summary>
    public IReadOnlyList<(string Name, string Value)> SettingRows()
    {
        using var document = JsonDocument.Parse(Settings.ToJson());
        return document.RootElement.EnumerateObject()
            .Select(p => (p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText())).ToList();
    }

    public static RunRecord Load(string path)
    {
        var folder = new RunFolder(path);
        if (!Directory.Exists(folder.Path))
            throw new UserError($"{folder.Path} does not exist; give the folder a train run wrote (runs/<model>-<time>).");
        if (!File.Exists(folder.Settings) || !File.Exists(folder.Metrics))
            throw new UserError(
                $"{folder.Path} is not a finished epoch's run folder: it needs settings.json and metrics.csv, " +
                $"which train writes after the first epoch.");
        var settings = TrainSettings.FromJson(File.ReadAllText(folder.Settings), folder.Settings);
        var commands = File.Exists(folder.Command) ? File.ReadAllText(folder.Command) : "";
        return new RunRecord(folder, settings, MetricsCsv.Parse(folder.Metrics), commands);
    }
}
