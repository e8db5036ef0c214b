using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Mnist.Dsl.Engine.Tests.Reference;

/// <summary>
/// PyTorch's answers to every case of <see cref="ReferenceCases"/>, computed once per test run by one
/// /usr/bin/python3 process (python/engine_reference.py); JSON both ways (a float32 prints and parses back exactly).
/// </summary>
internal static class PyTorchReference
{
    public const string Python = "/usr/bin/python3";

    private static readonly Lazy<Dictionary<string, Dictionary<string, float[]>>> Answers = new(Run);

    /// <summary>The named outputs of one case.</summary>
    public static Dictionary<string, float[]> Answer(string caseName) =>
        Answers.Value.TryGetValue(caseName, out var answer) ? answer : throw new KeyNotFoundException($"no PyTorch answer for {caseName}");

    private static Dictionary<string, Dictionary<string, float[]>> Run()
    {
        var folder = Directory.CreateTempSubdirectory("engine-pytorch-");
        try
        {
            string request = Path.Combine(folder.FullName, "request.json"), response = Path.Combine(folder.FullName, "response.json");
            File.WriteAllText(request, JsonSerializer.Serialize(ReferenceCases.All));
            var start = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "python", "engine_reference.py"));
            start.ArgumentList.Add(request);
            start.ArgumentList.Add(response);
            start.Environment["OMP_NUM_THREADS"] = "1";
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {Python}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"engine_reference.py failed (exit {process.ExitCode}); needs Debian's python3-torch.\n{stderr}\n{stdout.Result}");
            using var document = JsonDocument.Parse(File.ReadAllText(response));
            return document.RootElement.EnumerateObject().ToDictionary(
                c => c.Name,
                c => c.Value.EnumerateObject().ToDictionary(o => o.Name, o => o.Value.EnumerateArray().Select(e => (float)e.GetDouble()).ToArray()));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }
}
