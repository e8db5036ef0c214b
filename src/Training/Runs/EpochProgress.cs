using Spectre.Console;

namespace Mnist.Dsl.Training.Runs;

/// <summary>
/// What the trainer shows while an epoch runs: a live Spectre.Console bar with loss, accuracy, images/s and
/// time left on an interactive terminal; nothing on a redirected one (logs get the per-epoch lines only).
/// </summary>
internal sealed class EpochProgress
{
    private readonly bool _live = AnsiConsole.Profile.Capabilities.Interactive && !Console.IsOutputRedirected;

    /// <summary>Runs one epoch's body, giving it a callback to report (batches done, running loss, running accuracy, images/s).</summary>
    public T Run<T>(string title, long batches, Func<Action<long, double, double, double>, T> body)
    {
        if (!_live) return body((_, _, _, _) => { });
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RemainingTimeColumn())
            .Start(context =>
            {
                var task = context.AddTask(title, maxValue: batches);
                result = body((done, loss, accuracy, imagesPerSecond) =>
                {
                    task.Value = done;
                    task.Description = string.Format(CultureInfo.InvariantCulture, "{0}  loss {1:F4}  acc {2:F2}%  {3:N0} img/s", title, loss,
                        accuracy, imagesPerSecond);
                });
            });
        return result;
    }
}
