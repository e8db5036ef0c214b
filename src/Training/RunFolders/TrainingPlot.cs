using Mnist.Plots;

namespace Mnist.Dsl.Training.RunFolders;

/// <summary>The seeds' 2×2 figure: training loss, test loss, training accuracy, test accuracy per epoch.</summary>
internal static class TrainingPlot
{
    public static string Render(string model, IReadOnlyList<EpochResult> results)
    {
        Panel Panel(string title, string axis, System.Func<EpochResult, double> value, string name) =>
            new(title, "epoch", axis, new[] { new Series(name, results.Select(r => ((double)r.Epoch, value(r))).ToArray()) });
        return SvgChart.Render($"{model}: loss and accuracy per epoch", new[]
        {
            Panel("Training loss", "NLL loss", r => r.TrainLoss, "train"),
            Panel("Test loss", "NLL loss", r => r.TestLoss, "test"),
            Panel("Training accuracy", "accuracy (%)", r => r.TrainAccuracy, "train"),
            Panel("Test accuracy", "accuracy (%)", r => r.TestAccuracy, "test"),
        });
    }
}
