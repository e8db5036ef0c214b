using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mnist.Tests.Shared;

namespace Mnist.Dsl.Engine.Tests.Reference;

/// <summary>
/// PyTorch's answers to every case of <see cref="ReferenceCases"/>, computed once per test run by one
/// /usr/bin/python3 process (python/engine_reference.py); JSON both ways (a float32 prints and parses back exactly).
/// </summary>
internal static class PyTorchReference
{
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
            PythonScript.Run("engine_reference.py", request, response);
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
