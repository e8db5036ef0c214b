using System.CommandLine;

namespace Mnist.Dsl.Training.Report;

/// <summary>
/// <c>report RUN</c>: writes RUN/report.html again (after the run, or for a run from before reports);
/// <c>report RUN RUN...</c>: one page with the runs' curves overlaid.
/// </summary>
internal static class ReportCommand
{
    public static Command Create(ModelCatalog catalog, Option<string> data)
    {
        var runs = new Argument<string[]>("runs") { Description = "run folders that train wrote; one: its report.html, several: a comparison page",
            Arity = ArgumentArity.OneOrMore };
        var output = new Option<string?>("--output")
        {
            Description = "where the comparison of several runs goes (default: compare.html in the current folder)",
        };
        var report = new Command("report", "write a run's report.html, or compare several runs' curves on one page") { runs, output, data };
        report.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var records = parse.GetValue(runs)!.Select(RunRecord.Load).ToList();
            if (records.Count == 1)
            {
                var record = records[0];
                var entry = catalog.Find(record.Settings.Model);
                var path = RunReport.Write(record, entry, catalog.All, parse.GetValue(data)!);
                Console.WriteLine($"Report: {path}");
                return 0;
            }
            var target = Path.GetFullPath(parse.GetValue(output) ?? "compare.html");
            AtomicFile.WriteAllText(target, ComparisonReport.Render(records));
            Console.WriteLine($"Comparison of {records.Count} runs: {target}");
            return 0;
        }));
        return report;
    }
}
