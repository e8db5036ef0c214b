// An exported model in ONNX Runtime's C# API and in ML.NET's ONNX transformer, on the 10,000 MNIST test images (raw IDX
// files read here): the programs docs/onnx.md shows. bench/onnx-dotnet.sh builds it in a temporary project (it is part
// of no project here, so the repository's build does not restore ML.NET). usage: dotnet run -- <model.onnx> <mnist folder>
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;

var (modelPath, folder) = (args[0], args[1]);
var pixels = File.ReadAllBytes(Path.Combine(folder, "t10k-images-idx3-ubyte"))[16..];
var labels = File.ReadAllBytes(Path.Combine(folder, "t10k-labels-idx1-ubyte"))[8..];
var count = labels.Length;
// The input is the image normalised as the trainer feeds it: (pixel / 255 - 0.1307) / 0.3081.
var images = pixels.Select(p => (p / 255f - 0.1307f) / 0.3081f).ToArray();

// --- ONNX Runtime (C#)
using var session = new InferenceSession(modelPath);
Console.WriteLine($"input {session.InputNames[0]} [{string.Join(", ", session.InputMetadata["image"].Dimensions)}], output {session.OutputNames[0]}, " +
    $"network {session.ModelMetadata.CustomMetadataMap["network"]}, mean {session.ModelMetadata.CustomMetadataMap["input_mean"]}, std {session.ModelMetadata.CustomMetadataMap["input_std"]}");
using var input = OrtValue.CreateTensorValueFromMemory(images, new long[] { count, 1, 28, 28 });
using var run = new RunOptions();
using var outputs = session.Run(run, new[] { "image" }, new[] { input }, session.OutputNames);
var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
var correct = Enumerable.Range(0, count).Count(i => ArgMax(scores.AsSpan(i * 10, 10)) == labels[i]);
Console.WriteLine($"ONNX Runtime: {correct}/{count} correct");

// --- ML.NET
var ml = new MLContext();
var data = ml.Data.LoadFromEnumerable(Enumerable.Range(0, count).Select(i => new Digit { Image = images[(i * 784)..((i + 1) * 784)] }));
var pipeline = ml.Transforms.ApplyOnnxModel(modelFile: modelPath, outputColumnNames: new[] { "log_probabilities" }, inputColumnNames: new[] { "image" },
    shapeDictionary: new Dictionary<string, int[]> { ["image"] = new[] { 1, 1, 28, 28 } }, gpuDeviceId: null, fallbackToCpu: false);
var scored = pipeline.Fit(data).Transform(data);
var predictions = ml.Data.CreateEnumerable<Scores>(scored, reuseRowObject: false).Select(s => ArgMax(s.LogProbabilities)).ToArray();
Console.WriteLine($"ML.NET: {Enumerable.Range(0, count).Count(i => predictions[i] == labels[i])}/{count} correct");

static int ArgMax(ReadOnlySpan<float> row)
{
    var best = 0;
    for (var c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
    return best;
}

class Digit
{
    [ColumnName("image"), VectorType(1, 1, 28, 28)]
    public float[] Image { get; set; } = [];
}

class Scores
{
    [ColumnName("log_probabilities"), VectorType(10)]
    public float[] LogProbabilities { get; set; } = [];
}
