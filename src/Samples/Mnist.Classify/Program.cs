using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Mnist.Classify;

// Classifies the 10,000 MNIST test images with a sample network's generated inference class.
// usage: Mnist.Classify <network> <weights.safetensors> [--mnist|--data DIR] [--threads N] [--outputs FILE]
//   --outputs writes every image's outputs (float32, little-endian, image after image) for comparison.
// The last two lines say which torch runtimes the process loaded: none, since it references only Mnist.Dsl.
var usage = $"usage: Mnist.Classify <{Classifiers.Names.Replace(", ", "|", StringComparison.Ordinal)}> <weights.safetensors> [--mnist|--data DIR] " +
    $"[--threads N] [--outputs FILE]";
try
{
    var positional = args.Where((a, i) => !a.StartsWith("--", StringComparison.Ordinal)
        && (i == 0 || !args[i - 1].StartsWith("--", StringComparison.Ordinal))).ToArray();
    string? Option(string name) =>
        Array.IndexOf(args, name) is var i and >= 0
            ? (i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{name} needs a value. {usage}")) : null;
    if (positional.Length != 2) throw new ArgumentException(usage);
    // --data as well, the name the trainer uses and MnistFiles' "how to get MNIST" message gives.
    var mnist = Option("--mnist") ?? Option("--data")
        ?? (Environment.GetEnvironmentVariable("MNIST_DIR") is { Length: > 0 } configured ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "mnist-dsl", "mnist"));
    var threads = Option("--threads") is { } t ? int.Parse(t, CultureInfo.InvariantCulture) : Environment.ProcessorCount;

    var classifier = Classifiers.Load(positional[0], positional[1]);
    var (images, labels) = TestSet.Load(mnist);
    var outputs = new float[labels.Length * classifier.Classes];
    var clock = Stopwatch.StartNew();
    classifier.PredictBatch(images, outputs, threads);
    clock.Stop();
    var correct = 0;
    for (var n = 0; n < labels.Length; n++)
    {
        var row = outputs.AsSpan(n * classifier.Classes, classifier.Classes);
        var best = 0;
        for (var c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        if (best == labels[n]) correct++;
    }
    if (Option("--outputs") is { } path)
    {
        var bytes = new byte[outputs.Length * sizeof(float)];
        Buffer.BlockCopy(outputs, 0, bytes, 0, bytes.Length);
        File.WriteAllBytes(path, bytes);
    }
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{classifier.Network}: {correct}/{labels.Length} correct ({100.0 * correct / labels.Length:F2}%) in {clock.Elapsed.TotalMilliseconds:F0} " +
            $"ms on {threads} thread(s)"));
    Console.WriteLine("native torch libraries loaded: "
        + (LoadedRuntimes.NativeTorchLibraries() is { Length: > 0 } native ? string.Join(", ", native) : "none"));
    Console.WriteLine("managed torch assemblies loaded: "
        + (LoadedRuntimes.ManagedTorchAssemblies() is { Length: > 0 } managed ? string.Join(", ", managed) : "none"));
    return 0;
}
catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine("Mnist.Classify: " + e.Message);
    return 2;
}
