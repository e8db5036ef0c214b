using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Mnist.Dsl.Data;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Serve;
using Mnist.Train.Tests;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Interactions;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Browser.Tests;

/// <summary>
/// The draw-a-digit page (serve) in chromium: MNIST test digits replayed as pointer strokes are read as the test's own
/// inference class reads the 28×28 image the server made, mostly correctly; bad requests get one line and a 4xx.
/// </summary>
public sealed class DigitPageTests(ITestOutputHelper output) : IDisposable
{
    private const int Scale = 10; // a 28×28 digit drawn on the 280×280 canvas

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-page-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public async Task Ten_test_digits_drawn_as_strokes_are_read_as_the_inference_class_reads_the_servers_28x28_image_and_at_least_nine_correctly()
    {
        // Weights good enough to read handwriting: two epochs of the fast network on the whole training set.
        var run = Path.Combine(_work.FullName, "fast");
        var trained = TrainerProcess.Run(_work.FullName, "train", "fast", "--epochs", "2", "--test-limit", "1000", "--output", run);
        Assert.True(trained.ExitCode == 0, trained.ToString());
        var weights = Path.Combine(run, "best.safetensors");
        var network = NetworkRegistry.Of(typeof(Mnist.Models.FastNet).Assembly).Single(n => n.Name == "fast").LoadInference(weights);

        var url = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        Process? server = null;
        var serving = TrainerProcess.Start(_work.FullName, TrainerProcess.BuildFolder(), new[] { "serve", "fast", "--weights", weights, "--port", "0" }, (line, process) =>
        {
            server = process;
            if (Regex.Match(line, @" on (http://127\.0\.0\.1:\d+/) ") is { Success: true } m) url.TrySetResult(m.Groups[1].Value);
        });
        var started = await Task.WhenAny(url.Task, serving, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(started == url.Task, $"serve did not say where it listens: {(serving.IsCompleted ? (await serving).ToString() : "still running after 60 s")}");
        var page = await url.Task;
        try
        {
            await MalformedRequestsGetOneLine(page);
            ReadDigitsInTheBrowser(page, network);
        }
        finally
        {
            server?.Kill(entireProcessTree: true);
            await serving;
        }
    }

    private static async Task MalformedRequestsGetOneLine(string page)
    {
        using var http = new HttpClient();
        async Task Expect(HttpStatusCode status, string contains, HttpRequestMessage request)
        {
            using var response = await http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == status, $"{request.Method} {request.RequestUri}: {(int)response.StatusCode} {text}");
            Assert.Contains(contains, text);
            Assert.Single(text.TrimEnd('\n').Split('\n'));
        }
        HttpRequestMessage Post(string query, byte[] body) => new(HttpMethod.Post, page + "predict" + query) { Content = new ByteArrayContent(body) };

        await Expect(HttpStatusCode.BadRequest, "a 10x10 canvas is 100", Post("?width=10&height=10", new byte[5]));
        await Expect(HttpStatusCode.BadRequest, "needs W and H", Post("?width=ten&height=10", new byte[100]));
        await Expect(HttpStatusCode.BadRequest, "needs W and H", Post("", new byte[100]));
        await Expect(HttpStatusCode.RequestEntityTooLarge, "at most 1048576", Post("?width=2000&height=1000", new byte[2_000_000]));
        await Expect(HttpStatusCode.MethodNotAllowed, "POST /predict takes a canvas", new HttpRequestMessage(HttpMethod.Get, page + "predict"));
        await Expect(HttpStatusCode.NotFound, "is not here", new HttpRequestMessage(HttpMethod.Get, page + "elsewhere"));
        // and the server is still there
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(page)).StatusCode);
    }

    private void ReadDigitsInTheBrowser(string page, Mnist.Dsl.Inference.INetworkInference network)
    {
        var (imagesPath, labelsPath) = MnistFiles.LocateSet(TrainerProcess.MnistFolder(), train: false);
        var images = IdxFile.ReadImages(imagesPath).Data;
        var labels = IdxFile.ReadLabels(labelsPath).Data;

        using var driver = Chromium.Start();
        driver.Navigate().GoToUrl(page);
        Assert.DoesNotContain("src=\"http", driver.PageSource); // everything from the server
        var pad = driver.FindElement(By.Id("pad"));

        var right = 0;
        // The first test image of each digit.
        foreach (var digit in Enumerable.Range(0, 10))
        {
            var index = Array.IndexOf(labels, (byte)digit);
            var image = images.AsSpan(index * 784, 784).ToArray();
            driver.FindElement(By.Id("clear")).Click();
            Assert.Equal("–", driver.FindElement(By.Id("prediction")).Text);
            var before = int.Parse(Script(driver, "return document.body.dataset.sent;"));
            Draw(driver, pad, Strokes(image));
            WaitForAnswer(driver, before);

            var read = int.Parse(driver.FindElement(By.Id("prediction")).Text);
            var seen = Script(driver, "return document.getElementById('seen').dataset.pixels;").Split(',').Select(byte.Parse).ToArray();
            // The page shows the server's preprocessing of exactly what is on the canvas...
            var canvas = Convert.FromBase64String(Script(driver, 
                "const c = document.getElementById('pad'), d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, g = new Uint8Array(c.width * c.height);"
                + "for (let i = 0; i < g.length; i++) g[i] = d[4 * i]; let s = ''; for (const b of g) s += String.fromCharCode(b); return btoa(s);"));
            Assert.Equal(DrawnDigit.ToMnist(canvas, 280, 280), seen);
            // ...and reads it as this process's inference class reads it.
            Assert.Equal(network.Classify(DrawnDigit.Normalized(seen)), read);
            output.WriteLine($"test image {index}: label {digit}, read {read}");
            if (read == digit) right++;
            if (digit == 9) Chromium.SaveFullPage(driver, Path.Combine(Artifacts.Folder(), "page.png"), width: 1100);
        }
        Assert.True(right >= 9, $"{right} of 10 digits drawn were read correctly");
    }

    private static string Script(ChromeDriver driver, string script) =>
        driver.ExecuteScript(script) as string ?? throw new InvalidOperationException($"the page returned no text for: {script}");

    /// <summary>A digit as a hand would draw it with a thick pen: each row's run of dark pixels as one stroke, left to right, a move per pixel.</summary>
    private static List<List<(int X, int Y)>> Strokes(byte[] image)
    {
        var strokes = new List<List<(int X, int Y)>>();
        for (var y = 0; y < 28; y++)
            for (var x = 0; x < 28; x++)
            {
                if (image[y * 28 + x] < 128 || (x > 0 && image[y * 28 + x - 1] >= 128)) continue;
                var stroke = new List<(int X, int Y)>();
                for (var e = x; e < 28 && image[y * 28 + e] >= 128; e++) stroke.Add((e * Scale + Scale / 2, y * Scale + Scale / 2));
                strokes.Add(stroke);
            }
        return strokes;
    }

    /// <summary>The strokes as pointer input: press, a move per point, release; offsets from the canvas's centre, as WebDriver takes them.</summary>
    private static void Draw(ChromeDriver driver, IWebElement pad, List<List<(int X, int Y)>> strokes)
    {
        var actions = new Actions(driver, TimeSpan.Zero);
        foreach (var stroke in strokes)
        {
            actions.MoveToElement(pad, stroke[0].X - 140, stroke[0].Y - 140).ClickAndHold();
            foreach (var (x, y) in stroke.Skip(1)) actions.MoveToElement(pad, x - 140, y - 140);
            actions.Release();
        }
        actions.Perform();
    }

    /// <summary>Until the page has its answer to the last stroke (a deadline so that a broken page fails instead of hanging).</summary>
    private static void WaitForAnswer(ChromeDriver driver, int sentBefore)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var state = Script(driver, "const b = document.body.dataset; return `${b.idle} ${b.sent} ${b.answered}`;");
            var parts = state.Split(' ');
            if (parts[0] == "true" && parts[1] == parts[2] && int.Parse(parts[1]) > sentBefore) return;
            if (deadline.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException($"the page never answered the drawing (idle, sent, answered: {state})");
            Thread.Sleep(50);
        }
    }
}
