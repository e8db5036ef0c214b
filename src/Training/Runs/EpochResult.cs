namespace Mnist.Dsl.Training.Runs;

/// <summary>One epoch's numbers: what metrics.csv holds per row and the seeds print per epoch.</summary>
internal sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double TestLoss, long TestCorrect, long TestCount,
    double LearningRate, double Seconds)
{
    public double TestAccuracy => 100.0 * TestCorrect / TestCount;

    /// <summary>The line the seeds' notebooks print after each epoch.</summary>
    public string TestLine => FormatTestLine(TestLoss, TestCorrect, TestCount);

    /// <summary>The seeds' test line for any evaluation: after an epoch, or of saved weights (eval).</summary>
    public static string FormatTestLine(double loss, long correct, long count) => string.Format(CultureInfo.InvariantCulture,
        "Test set: Average loss: {0:F4}, Accuracy: {1}/{2} ({3:F2}%)", loss, correct, count, 100.0 * correct / count);

    public string TrainLine => string.Format(CultureInfo.InvariantCulture,
        "Epoch {0}: train loss {1:F4}, accuracy {2:F2}%, lr {3:G4}, {4:F1} s", Epoch, TrainLoss, TrainAccuracy, LearningRate, Seconds);
}
