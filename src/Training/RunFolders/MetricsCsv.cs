using System.Text;

namespace Mnist.Dsl.Training.RunFolders;

/// <summary>
/// metrics.csv: one row per epoch. Numbers are written round-trip exact, because a resumed run replays its
/// learning-rate schedule from the test losses read back from here.
/// </summary>
internal static class MetricsCsv
{
    public const string Header = "epoch,train_loss,train_accuracy,test_loss,test_accuracy,test_correct,test_count,learning_rate,seconds";

    public static string Format(IEnumerable<EpochResult> results)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var r in results)
            text.Append(string.Join(",", new[]
            {
                r.Epoch.ToString(CultureInfo.InvariantCulture), R(r.TrainLoss), R(r.TrainAccuracy), R(r.TestLoss), R(r.TestAccuracy),
                r.TestCorrect.ToString(CultureInfo.InvariantCulture), r.TestCount.ToString(CultureInfo.InvariantCulture), R(r.LearningRate),
                R(r.Seconds),
            })).Append('\n');
        return text.ToString();
    }

    public static List<EpochResult> Parse(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        if (lines.Length == 0 || lines[0] != Header)
            throw new InvalidDataException($"{path} is not a metrics file of this trainer (its first line must be \"{Header}\").");
        return lines.Skip(1).Select((line, i) =>
        {
            var f = line.Split(',');
            if (f.Length != 9) throw new InvalidDataException($"{path} line {i + 2} has {f.Length} fields, not 9.");
            return new EpochResult(I(f[0]), D(f[1]), D(f[2]), D(f[3]), L(f[5]), L(f[6]), D(f[7]), D(f[8]));
        }).ToList();

        int I(string s) => int.Parse(s, CultureInfo.InvariantCulture);
        long L(string s) => long.Parse(s, CultureInfo.InvariantCulture);
        double D(string s) => double.Parse(s, CultureInfo.InvariantCulture);
    }

    private static string R(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
