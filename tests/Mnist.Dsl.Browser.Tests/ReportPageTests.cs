using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mnist.Train.Tests;
using OpenQA.Selenium;
using Xunit;

namespace Mnist.Dsl.Browser.Tests;

/// <summary>report.html of a short run on the engine, opened in chromium: every section renders and its numbers are the run's.</summary>
public sealed class ReportPageTests : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-report-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_short_runs_report_shows_its_layers_curves_confusion_matrix_and_every_misclassified_image_and_report_compares_two_runs()
    {
        var run = Path.Combine(_work.FullName, "short");
        var trained = TrainerProcess.Run(_work.FullName, "train", "fast", "--engine", "generated", "--epochs", "1", "--train-limit", "2048", "--test-limit", "500", "--output", run);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var report = Path.Combine(run, "report.html");
        Assert.Contains($"report {report}", trained.Stdout);
        var metrics = File.ReadAllLines(Path.Combine(run, "metrics.csv"))[1].Split(',');
        var correct = int.Parse(metrics[5], CultureInfo.InvariantCulture);
        var html = File.ReadAllText(report);
        Assert.DoesNotContain("<script", html); // readable with scripts off, and nothing fetched:
        Assert.DoesNotContain("src=\"http", html);
        Assert.DoesNotContain("href=\"http", html);

        using var driver = Chromium.Start();
        driver.Navigate().GoToUrl(new Uri(report).AbsoluteUri);
        Assert.Equal("fast run report", driver.Title);

        // The confusion matrix: 10×10 cells over the 500 test images, its diagonal the run's correct count.
        var cells = driver.FindElements(By.CssSelector("#confusion td.cell"));
        Assert.Equal(100, cells.Count);
        Assert.Equal(500, cells.Sum(c => int.Parse(c.Text, CultureInfo.InvariantCulture)));
        Assert.Equal(correct, driver.FindElements(By.CssSelector("#confusion td.diagonal")).Sum(c => int.Parse(c.Text, CultureInfo.InvariantCulture)));
        Assert.All(cells, c => Assert.True(c.Displayed && c.Size.Width > 20 && c.Size.Height > 15, $"confusion cell {c.GetDomAttribute("data-label")},{c.GetDomAttribute("data-predicted")} is not laid out"));

        // Every misclassified image, decoded by the browser as a 28×28 picture, as many as 500 minus the correct count.
        var mistakes = driver.FindElements(By.CssSelector("#misclassified-grid figure.mistake"));
        Assert.Equal(500 - correct, mistakes.Count);
        Assert.Equal((500 - correct).ToString(CultureInfo.InvariantCulture), driver.FindElement(By.Id("misclassified-count")).GetDomAttribute("data-count"));
        var decoded = Convert.ToInt64(driver.ExecuteScript("return [...document.querySelectorAll('#misclassified-grid img')].filter(i => i.complete && i.naturalWidth === 28 && i.naturalHeight === 28).length;"));
        Assert.Equal(mistakes.Count, decoded);
        // worst first: the probabilities in the captions do not increase
        var confidences = mistakes.Select(m => int.Parse(Regex.Match(m.FindElement(By.TagName("figcaption")).Text, @"(\d+)%").Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(confidences.OrderByDescending(c => c), confidences);

        // Per-class accuracy adds up to the run's; the layer table has every layer and the totals; the curves are drawn.
        Assert.Equal(correct, driver.FindElements(By.CssSelector("#per-class-table tr")).Skip(1).Sum(r => int.Parse(r.FindElements(By.TagName("td"))[2].Text, CultureInfo.InvariantCulture)));
        var layerRows = driver.FindElements(By.CssSelector("#layers-table tr"));
        Assert.Equal("Conv2d-1", layerRows[1].FindElements(By.TagName("td"))[0].Text);
        Assert.Equal("17,314", layerRows[^1].FindElements(By.TagName("td"))[3].Text);
        Assert.True(driver.FindElements(By.CssSelector("svg polyline")).Count >= 5, "the loss, accuracy and learning-rate curves are missing");
        Assert.Contains("train_limit", driver.FindElement(By.Id("settings-table")).Text);
        Chromium.SaveFullPage(driver, Path.Combine(Artifacts.Folder(), "report.png"));

        // `report` writes the same page again; `report A B` overlays two runs.
        File.Delete(report);
        var again = TrainerProcess.Run(_work.FullName, "report", run);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains(report, again.Stdout);
        Assert.True(File.Exists(report));
        var other = Path.Combine(_work.FullName, "other");
        Assert.Equal(0, TrainerProcess.Run(_work.FullName, "train", "fast", "--epochs", "1", "--train-limit", "2048", "--test-limit", "500", "--seed", "2", "--output", other).ExitCode);
        var compare = Path.Combine(_work.FullName, "compare.html");
        var compared = TrainerProcess.Run(_work.FullName, "report", run, other, "--output", compare);
        Assert.True(compared.ExitCode == 0, compared.ToString());
        driver.Navigate().GoToUrl(new Uri(compare).AbsoluteUri);
        var runRows = driver.FindElements(By.CssSelector("#runs-table tr")).Skip(1).Select(r => r.FindElements(By.TagName("td"))[0].Text).ToList();
        Assert.Equal(new[] { "short", "other" }, runRows);
        Assert.Contains("seed", driver.FindElement(By.Id("runs-table")).Text); // the setting in which they differ
        Assert.Equal(2 * (2 + 2 + 1), driver.FindElements(By.CssSelector("svg polyline")).Count); // each run's train and test loss and accuracy, and its learning rate
    }
}
