using System.Text;
using Mnist.Plots;

namespace Mnist.Dsl.Training.Report;

/// <summary>
/// report.html: one run on one page that opens offline (no script, nothing fetched): the network's layers, the
/// settings and timings, the curves, and what the best weights get wrong on the test set (confusion matrix,
/// per-class accuracy, every misclassified image, worst first). Rewritten after every epoch and by <c>report</c>.
/// </summary>
internal static class RunReport
{
    /// <summary>At most this many misclassified images are drawn (the total is always stated): a page stays light on a poor run.</summary>
    public const int MaxMistakesShown = 400;

    /// <summary>
    /// The trainer's hook, after an epoch's files are written: the report of the run so far. A report that cannot be
    /// written (weights the inference class refuses, a full disk) is said in one line and does not stop the training:
    /// the run's own files are written already, and `report` can try again.
    /// </summary>
    public static void Write(RunFolder run, RegisteredNetwork entry, TrainSettings settings, string dataFolder, IReadOnlyList<EpochResult> results)
    {
        try
        {
            Write(new RunRecord(run, settings, results, File.Exists(run.Command) ? File.ReadAllText(run.Command) : ""), entry, new[] { entry },
                dataFolder);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"warning: {run.Report} not written: {e.Message.ReplaceLineEndings("; ")}");
        }
    }

    public static string Write(RunRecord record, RegisteredNetwork entry, IEnumerable<RegisteredNetwork> known, string dataFolder)
    {
        var (predictions, missing) = BestPredictions.Of(record.Folder.BestWeights, entry, known, dataFolder, record.Settings.TestLimit,
            record.Settings.Threads);
        var path = record.Folder.Report;
        AtomicFile.WriteAllText(path, Render(record, entry, predictions, missing));
        return path;
    }

    public static string Render(RunRecord record, RegisteredNetwork entry, TestPredictions? predictions, string? missing) =>
        HtmlPage.Invariant(() => RenderPage(record, entry, predictions, missing));

    private static string RenderPage(RunRecord record, RegisteredNetwork entry, TestPredictions? predictions, string? missing)
    {
        var summary = entry.Summary;
        var best = record.Best;
        var page = new HtmlPage();
        page.Append($"<h1>{HtmlPage.Escape(entry.Name)}: " + (best is null ? "no epoch yet" :
            string.Format(CultureInfo.InvariantCulture, "best test accuracy {0:F2}% (epoch {1} of {2})", best.TestAccuracy, best.Epoch,
                record.Epochs.Count)) + "</h1>\n");
        page.Append($"<p class=\"sub\">{HtmlPage.Escape(entry.Description.TrimEnd('.'))}{(entry.Description.Length > 0 ? ". " : "")}"
            + $"{HtmlPage.Number(summary.TotalParameters)} parameters, "
            + $"{HtmlPage.Number(summary.MultiplyAdds)} multiply-adds per image, receptive field {summary.ReceptiveField}. "
            + $"Run folder {HtmlPage.Escape(record.Folder.Path)}.</p>\n");

        page.Section("settings", "Settings and timings");
        var seconds = record.Epochs.Sum(r => r.Seconds);
        page.Append("<div class=\"flex\">\n");
        page.Append(HtmlPage.Table(new[] { "Setting", "Value" }, record.SettingRows().Select(s => new[] { s.Name, s.Value }), leftColumns: 2,
            id: "settings-table"));
        page.Append(HtmlPage.Table(new[] { "Epoch", "Train loss", "Train acc. %", "Test loss", "Test acc. %", "Correct", "Learning rate", "Seconds" },
            record.Epochs.Select(r => new[]
            {
                HtmlPage.Number(r.Epoch), HtmlPage.Number(r.TrainLoss, "F4"), HtmlPage.Number(r.TrainAccuracy, "F2"),
                HtmlPage.Number(r.TestLoss, "F4"),
                HtmlPage.Number(r.TestAccuracy, "F2"), $"{r.TestCorrect:N0}/{r.TestCount:N0}",
                r.LearningRate.ToString("G4", CultureInfo.InvariantCulture), HtmlPage.Number(r.Seconds, "F1"),
            }), id: "epochs-table"));
        page.Append("</div>\n");
        page.Append(string.Format(CultureInfo.InvariantCulture, "<p>{0} epoch{1} in {2:F1} s of training and testing ({3:F1} s per epoch).</p>\n",
            record.Epochs.Count, record.Epochs.Count == 1 ? "" : "s", seconds, record.Epochs.Count == 0 ? 0 : seconds / record.Epochs.Count));
        if (record.Commands.Length > 0) page.Append($"<pre>{HtmlPage.Escape(record.Commands.TrimEnd())}</pre>\n");

        page.Section("curves", "Loss, accuracy and learning rate");
        page.Append(Curves(new[] { record }, $"{entry.Name}: per epoch"));

        page.Section("layers", "Layers");
        page.Append(LayerTable(summary));

        if (predictions is null)
        {
            page.Section("predictions", "Predictions of the best weights");
            page.Append($"<p class=\"note\" id=\"no-predictions\">{HtmlPage.Escape(missing ?? "No predictions.")}</p>\n");
        }
        else
        {
            AppendPredictions(page, predictions, best);
        }
        return page.Render($"{entry.Name} run report");
    }

    /// <summary>Train and test curves of one or several runs: loss, accuracy, learning rate per epoch.</summary>
    public static string Curves(IReadOnlyList<RunRecord> runs, string title)
    {
        var several = runs.Count > 1;
        Series Line(RunRecord run, string what, Func<EpochResult, double> value) =>
            new(several ? $"{run.Name} {what}" : what, run.Epochs.Select(r => ((double)r.Epoch, value(r))).ToArray());
        var panels = new List<Panel>
        {
            new("Loss", "epoch", "NLL loss",
                runs.SelectMany(r => new[] { Line(r, "train", e => e.TrainLoss), Line(r, "test", e => e.TestLoss) }).ToArray()),
            new("Accuracy", "epoch", "accuracy (%)",
                runs.SelectMany(r => new[] { Line(r, "train", e => e.TrainAccuracy), Line(r, "test", e => e.TestAccuracy) }).ToArray()),
            new("Learning rate", "epoch", "learning rate (end of epoch)", runs.Select(r => Line(r, "lr", e => e.LearningRate)).ToArray()),
        };
        return SvgChart.Render(title, panels, columns: 3, panelWidth: 470, panelHeight: 330);
    }

    private static string LayerTable(Mnist.Dsl.Analysis.NetworkSummary summary)
    {
        var rows = summary.Layers.Select(l => (IReadOnlyList<string>)new[]
        {
            l.RowName ?? $"{l.Layer.ModuleName} (functional)", l.Input.ToString(), l.Output.ToString(), HtmlPage.Number(l.Parameters),
            HtmlPage.Number(l.ReceptiveField), HtmlPage.Number(l.Jump), HtmlPage.Number(l.MultiplyAdds),
        }).Append(new[] { "Total", "", summary.Output.ToString(), HtmlPage.Number(summary.TotalParameters), HtmlPage.Number(summary.ReceptiveField),
            "", HtmlPage.Number(summary.MultiplyAdds) });
        return HtmlPage.Table(new[] { "Layer", "Input", "Output shape", "Parameters", "Receptive field", "Jump", "Multiply-adds" }, rows,
            leftColumns: 3, id: "layers-table");
    }

    private static void AppendPredictions(HtmlPage page, TestPredictions predictions, EpochResult? best)
    {
        var confusion = predictions.ConfusionMatrix();
        var mistakes = predictions.Mistakes();
        var classes = predictions.Classes;
        var perClass = Enumerable.Range(0, classes)
            .Select(c => (Images: Enumerable.Range(0, classes).Sum(p => confusion[c, p]), Correct: confusion[c, c])).ToArray();

        page.Section("per-class", "Per-class accuracy of the best weights");
        if (best is not null && (best.TestCorrect != predictions.Correct || best.TestCount != predictions.Count))
            page.Append($"<p class=\"note\" id=\"disagreement\">The inference class gets {predictions.Correct:N0} of {predictions.Count:N0} test " +
                $"images right with best.safetensors; "
                + $"the run counted {best.TestCorrect:N0} of {best.TestCount:N0} at epoch {best.Epoch}. " +
                    $"The tables below are the inference class's.</p>\n");
        page.Append("<div class=\"flex\">\n");
        var perClassTable = new StringBuilder(
            "<table id=\"per-class-table\">\n<tr><th>Digit</th><th>Images</th><th>Correct</th><th>Accuracy %</th><th class=\"l\"></th></tr>\n");
        for (var c = 0; c < classes; c++)
        {
            var (images, correct) = perClass[c];
            var share = images == 0 ? 0 : (double)correct / images;
            perClassTable.Append(CultureInfo.InvariantCulture,
                $"<tr><td>{c}</td><td>{images:N0}</td><td>{correct:N0}</td>"
                + $"<td>{(images == 0 ? "-" : (100 * share).ToString("F2", CultureInfo.InvariantCulture))}</td>"
                + $"<td class=\"l\"><span class=\"bar\" style=\"width:{150 * share:0.#}px\"></span></td></tr>\n");
        }
        page.Append(perClassTable.Append("</table>\n").ToString());

        var html = new StringBuilder("<div><table class=\"confusion\" id=\"confusion\">\n<tr><th>label \\ predicted</th>");
        for (var p = 0; p < classes; p++) html.Append($"<th>{p}</th>");
        html.Append("</tr>\n");
        var offDiagonalMax = Math.Max(1,
            Enumerable.Range(0, classes * classes).Where(i => i / classes != i % classes).Select(i => confusion[i / classes, i % classes])
            .DefaultIfEmpty(0).Max());
        for (var label = 0; label < classes; label++)
        {
            html.Append($"<tr><th>{label}</th>");
            for (var p = 0; p < classes; p++)
            {
                var n = confusion[label, p];
                // The diagonal in green by its share of the row; mistakes in red, scaled to the largest mistake so that few stand out.
                var shade = label == p
                    ? $"rgba(44,160,44,{(perClass[label].Images == 0 ? 0 : 0.15 + 0.5 * n / perClass[label].Images):0.00})"
                    : $"rgba(214,39,40,{(n == 0 ? 0 : 0.12 + 0.7 * n / offDiagonalMax):0.00})";
                html.Append(CultureInfo.InvariantCulture,
                    $"<td class=\"cell{(label == p ? " diagonal" : "")}\" data-label=\"{label}\" data-predicted=\"{p}\" " +
                    $"style=\"background:{shade}\">{n}</td>");
            }
            html.Append("</tr>\n");
        }
        html.Append("</table><p>Rows: the true digit; columns: the digit predicted.</p></div>\n");
        page.Append(html.ToString()).Append("</div>\n");

        page.Section("misclassified", "Misclassified test images");
        var shown = Math.Min(mistakes.Count, MaxMistakesShown);
        var sentence = best is null ? ""
            : $" ({best.TestCount:N0} − {best.TestCorrect:N0} correct at epoch {best.Epoch} = {best.TestCount - best.TestCorrect:N0})";
        page.Append($"<p id=\"misclassified-count\" data-count=\"{mistakes.Count}\">{mistakes.Count:N0} of {predictions.Count:N0} test images " +
            $"misclassified{sentence}; "
            + (shown == mistakes.Count ? "all shown" : $"the {shown:N0} most confident mistakes shown")
            + ", the most confident mistake first. Each: the true label → the prediction, and the probability the network gave it.</p>\n");
        var grid = new StringBuilder("<div class=\"grid\" id=\"misclassified-grid\">\n");
        foreach (var i in mistakes.Take(shown))
            grid.Append(CultureInfo.InvariantCulture,
                $"<figure class=\"mistake\" data-index=\"{i}\"><img alt=\"test image {i}\" src=\"{GrayPng.DataUri(predictions.Image(i), 28, 28)}\">"
                + $"<figcaption>{predictions.Labels[i]} → <b>{predictions.Predicted[i]}</b> " +
                    $"{100 * predictions.Confidence[i]:F0}%<br>#{i}</figcaption></figure>\n");
        page.Append(grid.Append("</div>\n").ToString());
    }
}
