namespace Mnist.Dsl.Training.Report;

/// <summary>
/// The test-set predictions of a run's best weights, through the network's inference class; or why there are none.
/// A run rewrites its report after every epoch but its best weights only when an epoch beats the best: the last
/// predictions are kept, keyed by the file's identity, so an unchanged best.safetensors costs no second test pass.
/// </summary>
internal static class BestPredictions
{
    private static readonly object Gate = new();
    private static (string Path, long Length, DateTime Written, int Limit, TestPredictions Predictions)? Last;

    /// <summary>The predictions, or null with the sentence the report shows instead.</summary>
    public static (TestPredictions? Predictions, string? Missing) Of(string weightsPath, RegisteredNetwork entry,
        IEnumerable<RegisteredNetwork> known,
        string dataFolder, int testLimit, int threads)
    {
        if (!entry.HasInference)
            return (null, $"{entry.Name} has no inference class (a network built at run time, as from an F# list, has none; " +
                $"the generator emits one for a [Network] class), "
                + "so this report cannot show the confusion matrix, per-class accuracy or misclassified images of its weights; " +
                    "the curves and tables above are complete.");
        if (!File.Exists(weightsPath))
            return (null, $"{weightsPath} does not exist, so this report has no predictions of the best weights.");
        var file = new FileInfo(weightsPath);
        lock (Gate)
        {
            if (Last is { } kept && kept.Path == file.FullName && kept.Length == file.Length && kept.Written == file.LastWriteTimeUtc
                && kept.Limit == testLimit)
                return (kept.Predictions, null);
            var network = entry.LoadInference(weightsPath, known);
            var predictions = TestPredictions.Compute(network, dataFolder, testLimit, threads);
            Last = (file.FullName, file.Length, file.LastWriteTimeUtc, testLimit, predictions);
            return (predictions, null);
        }
    }
}
