namespace Mnist.Dsl.Training.Report;

/// <summary>Several runs on one page: their curves overlaid and, side by side, their results and the settings in which they differ.</summary>
internal static class ComparisonReport
{
    public static string Render(IReadOnlyList<RunRecord> runs) => HtmlPage.Invariant(() => RenderPage(runs));

    private static string RenderPage(IReadOnlyList<RunRecord> runs)
    {
        var page = new HtmlPage();
        page.Append($"<h1>{runs.Count} runs compared</h1>\n" +
            $"<p class=\"sub\">{HtmlPage.Escape(string.Join(", ", runs.Select(r => r.Folder.Path)))}</p>\n");

        page.Section("results", "Results");
        var settings = runs.Select(r => r.SettingRows().ToDictionary(s => s.Name, s => s.Value)).ToList();
        // Only the settings that differ: the ones that explain a difference in the curves.
        var differing = settings.SelectMany(s => s.Keys).Distinct()
            .Where(name => settings.Select(s => s.GetValueOrDefault(name, "")).Distinct().Count() > 1).ToList();
        var header = new List<string> { "Run", "Best test acc. %", "Best epoch", "Epochs", "Seconds" };
        header.AddRange(differing);
        page.Append(HtmlPage.Table(header, runs.Select((r, i) =>
        {
            var best = r.Best;
            var row = new List<string>
            {
                r.Name, best is null ? "-" : HtmlPage.Number(best.TestAccuracy, "F2"), best is null ? "-" : HtmlPage.Number(best.Epoch),
                HtmlPage.Number(r.Epochs.Count), HtmlPage.Number(r.Epochs.Sum(e => e.Seconds), "F1"),
            };
            row.AddRange(differing.Select(name => settings[i].GetValueOrDefault(name, "")));
            return row;
        }), id: "runs-table"));
        if (differing.Count == 0) page.Append("<p>The runs have the same settings.</p>\n");

        page.Section("curves", "Loss, accuracy and learning rate");
        page.Append(RunReport.Curves(runs, "per epoch, each run in its own colour"));
        return page.Render("Runs compared");
    }
}
