using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Definitions;
using Mnist.Dsl.Training.Export;
using Xunit;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>
/// train --onnx writes best.onnx beside best.safetensors; networks built at run time (F# lists, definitions in code)
/// export as their [Network] twins do; BatchNorm folded or kept computes the same.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class TrainAndDefinitionTests
{
    [Fact]
    public void Train_with_onnx_writes_best_onnx_of_best_safetensors()
    {
        using var folder = new TemporaryFolder();
        var run = folder.File("run");
        var (exit, output, errors) = TrainerCommandLine.Run(SampleWeights.Networks, "train", "fast", "--epochs", "2", "--train-limit", "1024",
            "--test-limit", "500", "--batch-size", "64", "--output", run, "--onnx", "--data", TestImages.Folder);
        Assert.True(exit == 0, errors + output);

        var best = Path.Combine(run, "best.onnx");
        var network = SampleWeights.Networks.Find("fast");
        // The file is the export of best.safetensors, byte for byte (its metadata carries that file's SHA-256).
        Assert.Equal(network.ToOnnx(Path.Combine(run, "best.safetensors")).Bytes, File.ReadAllBytes(best));
        // And ONNX Runtime gets the accuracy the trainer printed for the best epoch.
        var line = output.Split('\n').Single(l => l.StartsWith("Best test accuracy", StringComparison.Ordinal));
        using var onnx = new OnnxRun(File.ReadAllBytes(best));
        var test = TestImages.TestSet;
        var outputs = onnx.Predict(test.Images, 0, 500, 1, 28, 28);
        var correct = Enumerable.Range(0, 500).Count(i => ArgMax(outputs.AsSpan(i * 10, 10)) == test.Labels[i]);
        Assert.StartsWith($"Best test accuracy {(100.0 * correct / 500).ToString("F2", CultureInfo.InvariantCulture)}%", line);
        Assert.Empty(Directory.GetFiles(run, ".*.tmp"));
    }

    [Fact]
    public void Train_without_onnx_writes_none()
    {
        using var folder = new TemporaryFolder();
        var run = folder.File("run");
        var (exit, _, errors) = TrainerCommandLine.Run(SampleWeights.Networks, "train", "fast", "--epochs", "1", "--train-limit", "256",
            "--test-limit", "100", "--batch-size", "64", "--output", run, "--data", TestImages.Folder);
        Assert.True(exit == 0, errors);
        Assert.True(File.Exists(Path.Combine(run, "best.safetensors")));
        Assert.False(File.Exists(Path.Combine(run, "best.onnx")));
    }

    /// <summary>DefaultNet's layers as data, as Mnist.FSharp's Networks.defaultNet writes them: the network a run-time definition is.</summary>
    private static NetworkDefinition DefaultAsData(string name) => new(name, 1, 28, 28, Mnist.Models.DefaultNet.Definition.Layers);

    [Fact]
    public void A_network_built_at_run_time_exports_as_its_network_class_does()
    {
        using var folder = new TemporaryFolder();
        var weights = SampleWeights.Path("default", WeightsKind.Trained);
        var registered = DefinedNetwork.Register(DefaultAsData("FSharpDefaultNet"), "fsharp-default");
        var networks = SampleWeights.Networks.Append(registered).ToArray();
        var path = folder.File("fsharp-default.onnx");
        var (exit, _, errors) = TrainerCommandLine.Run(networks, "export", "fsharp-default", "--weights", weights, "--onnx", path);
        Assert.True(exit == 0, errors);
        var direct = OnnxExport.Write(DefaultAsData("FSharpDefaultNet"), weights, folder.File("direct.onnx"));

        var asClass = SampleWeights.Networks.Find("default").ToOnnx(weights);
        var test = TestImages.TestSet;
        float[] Outputs(byte[] model)
        {
            using var run = new OnnxRun(model);
            return run.Predict(test.Images, 0, 1000, 1, 28, 28);
        }
        var expected = Outputs(asClass.Bytes);
        Assert.Equal(expected, Outputs(File.ReadAllBytes(path)));
        Assert.Equal(expected, Outputs(direct.Bytes));
        Assert.Equal(asClass.Operators, direct.Operators);
        Assert.Equal("FSharpDefaultNet", direct.Network);
    }

    [Fact]
    public void A_definition_that_breaks_a_rule_is_refused_with_the_analyzers_messages()
    {
        var layers = Mnist.Models.DefaultNet.Definition.Layers.Where(l => l is not BatchNorm2d);
        var error = Assert.Throws<NetworkRulesException>(() => OnnxExport.ToOnnx(new NetworkDefinition("NoBatchNorm", 1, 28, 28, layers),
            SampleWeights.Path("default", WeightsKind.Trained)));
        Assert.Contains("NoBatchNorm has no BatchNorm layer", error.Message);
    }

    [Theory]
    [MemberData(nameof(SampleWeights.Names), MemberType = typeof(SampleWeights))]
    public void Folded_and_kept_batchnorm_compute_the_same(string name)
    {
        var network = SampleWeights.Networks.Find(name);
        var weights = SampleWeights.Path(name, WeightsKind.Trained);
        var folded = network.ToOnnx(weights);
        var kept = network.ToOnnx(weights, foldBatchNorm: false);
        var batchNorms = network.Definition.Layers.Count(l => l is BatchNorm2d or BatchNorm1d);
        Assert.Equal(batchNorms, kept.Operators.Count(o => o == "BatchNormalization"));
        // Folded: none is left after a Conv2d or Linear (Dropout between them is nothing in eval mode).
        var inEval = network.Definition.Layers.Where(l => l is not (Dropout or Dropout2d)).ToArray();
        var afterProducer = Enumerable.Range(1, inEval.Length - 1).Count(i => inEval[i] is BatchNorm2d or BatchNorm1d && inEval[i - 1] is Conv2d or Linear);
        Assert.Equal(batchNorms - afterProducer, folded.Operators.Count(o => o == "BatchNormalization"));

        var test = TestImages.TestSet;
        var input = network.Summary.Input;
        using var a = new OnnxRun(folded.Bytes);
        using var b = new OnnxRun(kept.Bytes);
        var x = a.Predict(test.Images, 0, 1000, input.Channels, input.Height, input.Width);
        var y = b.Predict(test.Images, 0, 1000, input.Channels, input.Height, input.Width);
        var worst = x.Zip(y, (p, q) => Math.Abs((double)p - q) / SampleExportTests.Allowed(q)).Max();
        Assert.True(worst <= 1, $"{name}: folded and kept differ by {worst:G3} times the tolerance");
    }

    private static int ArgMax(ReadOnlySpan<float> row)
    {
        var best = 0;
        for (var c = 1; c < row.Length; c++) if (row[c] > row[best]) best = c;
        return best;
    }
}
