using System;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using Mnist.Dsl.Training.Export;
using Mnist.Dsl.Training.Serialization;
using Xunit;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>
/// <c>export &lt;model&gt; --weights W --onnx out.onnx</c>: the file it writes and what it says about itself; bad weights get
/// the very lines <c>eval</c> prints; a path that cannot be written leaves nothing behind.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class ExportCommandTests
{
    [Fact]
    public void Export_writes_a_model_with_the_documented_input_output_and_metadata()
    {
        using var folder = new TemporaryFolder();
        var weights = SampleWeights.Path("default", WeightsKind.Trained);
        var path = folder.File("default.onnx");
        var (exit, output, errors) = TrainerCommandLine.Run(SampleWeights.Networks, "export", "default", "--weights", weights, "--onnx", path);

        Assert.True(exit == 0, errors);
        Assert.StartsWith($"Wrote {path}: default: 16,538 parameters", output);
        Assert.Equal(new[] { "default.onnx" }, Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName));
        using var onnx = new OnnxRun(File.ReadAllBytes(path));
        var session = onnx.Session;
        var input = session.InputMetadata.Single();
        Assert.Equal(OnnxExport.InputName, input.Key);
        Assert.Equal(new[] { -1, 1, 28, 28 }, input.Value.Dimensions);
        Assert.Equal("N", input.Value.SymbolicDimensions[0]);
        var result = session.OutputMetadata.Single();
        Assert.Equal(OnnxExport.LogProbabilitiesName, result.Key);
        Assert.Equal(new[] { -1, 10 }, result.Value.Dimensions);

        var metadata = session.ModelMetadata;
        Assert.Equal(OnnxExport.ProducerName, metadata.ProducerName);
        Assert.Equal("default", metadata.CustomMetadataMap["network"]);
        Assert.Equal(Mnist.Models.DefaultNet.ParameterCount.ToString(System.Globalization.CultureInfo.InvariantCulture), metadata.CustomMetadataMap["parameters"]);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(weights))), metadata.CustomMetadataMap["weights_sha256"]);
        Assert.Equal("0.1307", metadata.CustomMetadataMap["input_mean"]);
        Assert.Equal("0.3081", metadata.CustomMetadataMap["input_std"]);
        Assert.Equal("DefaultNet", metadata.GraphName);
        Assert.Contains(metadata.CustomMetadataMap["weights_sha256"], metadata.Description);
    }

    /// <summary>A weights file made wrong one way: (what, how).</summary>
    public static TheoryData<string> BadWeights => new() { "truncated", "another network's", "float64", "an extra tensor", "missing", "not safetensors" };

    [Theory]
    [MemberData(nameof(BadWeights))]
    public void Bad_weights_get_the_line_eval_gives_and_nothing_is_written(string what)
    {
        using var folder = new TemporaryFolder();
        var weights = Damaged(what, folder.File("weights.safetensors"));
        var path = folder.File("out.onnx");

        var exported = TrainerCommandLine.Run(SampleWeights.Networks, "export", "default", "--weights", weights, "--onnx", path);
        var evaluated = TrainerCommandLine.Run(SampleWeights.Networks, "eval", "default", "--weights", weights, "--data", TestImages.Folder);

        Assert.Equal(2, exported.Exit);
        Assert.Equal(2, evaluated.Exit);
        Assert.StartsWith("error: ", exported.Errors);
        Assert.Single(exported.Errors.TrimEnd('\n').Split('\n'));
        Assert.Equal(evaluated.Errors, exported.Errors);
        Assert.False(File.Exists(path));
    }

    private static string Damaged(string what, string path)
    {
        var good = SampleWeights.Path("default", WeightsKind.Initialised);
        var tensors = SafeTensorsFile.Read(good, out _);
        switch (what)
        {
            case "truncated":
                var bytes = File.ReadAllBytes(good);
                File.WriteAllBytes(path, bytes.AsSpan(0, bytes.Length - 100).ToArray());
                return path;
            case "another network's":
                return SampleWeights.Path("small", WeightsKind.Initialised);
            case "float64":
                SafeTensorsFile.Write(path, tensors.Select(t => t.Key != "conv1.weight" ? t
                    : new(t.Key, new RawTensor("F64", t.Value.Shape, t.Value.AsFloat32().SelectMany(v => BitConverter.GetBytes((double)v)).ToArray()))).ToList());
                return path;
            case "an extra tensor":
                SafeTensorsFile.Write(path, tensors.Append(new("conv9.weight", RawTensor.Float32(new float[4], 2, 2))).ToList());
                return path;
            case "missing":
                return path;
            default:
                File.WriteAllText(path, "this is not a weights file");
                return path;
        }
    }

    [Fact]
    public void A_path_that_cannot_be_written_is_one_line_and_leaves_nothing()
    {
        using var folder = new TemporaryFolder();
        var weights = SampleWeights.Path("fast", WeightsKind.Initialised);
        // A folder where the file should go, and a file where its folder should be.
        var isFolder = Directory.CreateDirectory(folder.File("taken.onnx")).FullName;
        File.WriteAllText(folder.File("plain-file"), "in the way");
        foreach (var path in new[] { isFolder, Path.Combine(folder.File("plain-file"), "out.onnx") })
        {
            var (exit, _, errors) = TrainerCommandLine.Run(SampleWeights.Networks, "export", "fast", "--weights", weights, "--onnx", path);
            Assert.Equal(2, exit);
            Assert.StartsWith($"error: Cannot write the ONNX file {path} (", errors);
            Assert.Single(errors.TrimEnd('\n').Split('\n'));
        }
        // Nothing else in the folder: no partial file, no temporary.
        Assert.Equal(new[] { "plain-file", "taken.onnx" }, Directory.GetFileSystemEntries(folder.Path).Select(Path.GetFileName).Order());
        Assert.Empty(Directory.GetFileSystemEntries(isFolder));
        Assert.Equal("in the way", File.ReadAllText(folder.File("plain-file")));
    }
}
