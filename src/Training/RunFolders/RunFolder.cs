namespace Mnist.Dsl.Training.RunFolders;

/// <summary>
/// The folder a training run writes: its command and settings, the summary, metrics.csv, plot.svg, report.html, the best and
/// last weights (the best also as best.onnx with --onnx) and the checkpoint --resume continues from. Every file is replaced atomically (temp file +
/// rename), so a run stopped at any moment leaves each file whole, old or new.
/// </summary>
internal sealed class RunFolder
{
    public RunFolder(string path) => Path = System.IO.Path.GetFullPath(path);

    public string Path { get; }

    public string Command => File("command.txt");
    public string Settings => File("settings.json");
    public string Summary => File("summary.txt");
    public string Metrics => File("metrics.csv");
    public string Plot => File("plot.svg");
    public string BestWeights => File("best.safetensors");
    public string BestOnnx => File("best.onnx");
    public string LastWeights => File("last.safetensors");
    public string Checkpoint => File("checkpoint.safetensors");
    public string Report => File("report.html");

    /// <summary>runs/&lt;model&gt;-&lt;UTC time&gt; under the working directory: a new folder per run.</summary>
    public static RunFolder New(string model) =>
        new(System.IO.Path.Combine("runs", $"{model}-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}"));

    public void Create() => Directory.CreateDirectory(Path);

    /// <summary>Deletes the half-written temporaries a killed run left next to its files; returns how many.</summary>
    public int DeleteUnfinishedWrites()
    {
        var count = 0;
        foreach (var file in new[] { Command, Settings, Summary, Metrics, Plot, BestWeights, BestOnnx, LastWeights, Checkpoint, Report })
            count += AtomicFile.DeleteLeftovers(file);
        return count;
    }

    public void Write(string file, string text) => AtomicFile.WriteAllText(file, text);

    public void WriteMetrics(IReadOnlyList<EpochResult> results, string model)
    {
        Write(Metrics, MetricsCsv.Format(results));
        Write(Plot, TrainingPlot.Render(model, results));
    }

    /// <summary>The metrics of the epochs the checkpoint holds; rows written after it (a stop between two writes) are dropped.</summary>
    public IEnumerable<EpochResult> CompletedEpochs(int epochs)
    {
        var rows = System.IO.File.Exists(Metrics) ? MetricsCsv.Parse(Metrics) : new List<EpochResult>();
        if (rows.Count < epochs || rows.Take(epochs).Select(r => r.Epoch).Where((e, i) => e != i + 1).Any())
            throw new InvalidDataException(
                $"{Metrics} has {rows.Count} epoch rows but {Checkpoint} ends epoch {epochs}: the run folder is damaged; start a new run.");
        return rows.Take(epochs);
    }

    private string File(string name) => System.IO.Path.Combine(Path, name);
}
