using System.Reflection;
using System.Security.Cryptography;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Training.Export;

/// <summary>
/// A network and its weights as an ONNX model, for ONNX Runtime (servers, mobile, onnxruntime-web in a browser),
/// ML.NET's ONNX transformer or Windows ML; written from the network's plan (its layers as the layer algebra
/// analyses them) and a safetensors file (the trainer's best.safetensors, or PyTorch's save_file of the same
/// module's state_dict), with no native library.
/// <code>
/// network.ExportOnnx("runs/default-…/best.safetensors", "default.onnx");            // a [Network] class, from its registry
/// OnnxExport.Write(definition, "best.safetensors", "net.onnx");                       // a network built at run time (an F# list)
/// </code>
/// The model (IR 8, opset 17): input <see cref="InputName"/> float32 [N, C, H, W] (MNIST: [N, 1, 28, 28]) with a
/// dynamic batch N, holding images normalised as the trainer feeds them, (pixel / 255 − 0.1307) / 0.3081 (the mean and
/// standard deviation are in the metadata too); output <see cref="LogProbabilitiesName"/> [N, classes] when the network
/// ends in LogSoftmax, else <see cref="LogitsName"/>. Eval-mode semantics: no Dropout, BatchNorm with its running
/// statistics, folded into the Conv2d or Linear it directly follows (see <see cref="OnnxLowering"/>).
/// </summary>
public static class OnnxExport
{
    /// <summary>The default domain's operator set the model imports.</summary>
    public const int Opset = (int)OnnxModelWriter.Opset;

    /// <summary>The ONNX IR version of the file.</summary>
    public const int IrVersion = (int)OnnxModelWriter.IrVersion;

    /// <summary>The input: float32 [N, C, H, W], images normalised as the trainer normalises them.</summary>
    public const string InputName = "image";

    /// <summary>The output of a network that ends in LogSoftmax: [N, classes] log-probabilities.</summary>
    public const string LogProbabilitiesName = "log_probabilities";

    /// <summary>The output of a network that does not end in LogSoftmax: [N, classes] logits.</summary>
    public const string LogitsName = "logits";

    /// <summary>The producer_name of the files this writes.</summary>
    public const string ProducerName = "Mnist.Dsl.Training";

    /// <summary>
    /// The ONNX model of a registered network (a [Network] class, or a definition registered with
    /// <see cref="DefinedNetwork.Register"/>) with the weights of <paramref name="weightsPath"/>, in memory. A file that
    /// does not fit the network but fits another of <paramref name="known"/> is refused with the message <c>eval</c>
    /// gives ("these weights fit network 'small', not 'default'"); a damaged one, or one with missing, misshapen or
    /// extra tensors, with the inference class's message (<see cref="InvalidDataException"/>; a missing file
    /// <see cref="FileNotFoundException"/>).
    /// </summary>
    public static OnnxModelFile ToOnnx(this RegisteredNetwork network, string weightsPath, IEnumerable<RegisteredNetwork>? known = null,
        bool foldBatchNorm = true)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        var file = ReadWeights(weightsPath);
        if (known is not null && WeightsFit.OtherNetworkMessage(weightsPath, network, file.Weights.Shapes, known) is { } other)
            throw new InvalidDataException(other);
        return Build(network.Summary, network.Name, network.Description, file, foldBatchNorm);
    }

    /// <summary>As <see cref="ToOnnx(RegisteredNetwork, string, IEnumerable{RegisteredNetwork}?, bool)"/>, then written
    /// to <paramref name="onnxPath"/> atomically (<see cref="OnnxModelFile.Save"/>).</summary>
    public static OnnxModelFile ExportOnnx(this RegisteredNetwork network, string weightsPath, string onnxPath,
        IEnumerable<RegisteredNetwork>? known = null, bool foldBatchNorm = true)
    {
        var model = network.ToOnnx(weightsPath, known, foldBatchNorm);
        model.Save(onnxPath);
        return model;
    }

    /// <summary>
    /// The ONNX model of a network given as data (an F# list of layers, a definition built in code), in memory. A
    /// definition that breaks a rule is refused with the analyzer's messages (<see cref="NetworkRulesException"/>).
    /// </summary>
    public static OnnxModelFile ToOnnx(NetworkDefinition definition, string weightsPath, bool foldBatchNorm = true)
    {
        if (definition is null) throw new ArgumentNullException(nameof(definition));
        var report = NetworkAnalysis.Analyze(definition);
        if (!report.IsValid) throw new NetworkRulesException(report);
        return Build(report.Summary!, definition.Name, "", ReadWeights(weightsPath), foldBatchNorm);
    }

    /// <summary>As <see cref="ToOnnx(NetworkDefinition, string, bool)"/>, then written to <paramref name="onnxPath"/> atomically.</summary>
    public static OnnxModelFile Write(NetworkDefinition definition, string weightsPath, string onnxPath, bool foldBatchNorm = true)
    {
        var model = ToOnnx(definition, weightsPath, foldBatchNorm);
        model.Save(onnxPath);
        return model;
    }

    /// <summary>The file's bytes (hashed as they are) and its tensors; a missing or damaged file throws as <c>eval</c>'s reader does.</summary>
    private static (SafeTensorsWeights Weights, string Sha256) ReadWeights(string path)
    {
        if (path is null) throw new ArgumentNullException(nameof(path));
        // A missing file: SafeTensorsWeights.Read(path) throws, saying so in the words eval uses.
        if (!File.Exists(path)) SafeTensorsWeights.Read(path);
        var bytes = File.ReadAllBytes(path);
        using var stream = new MemoryStream(bytes, writable: false);
        return (SafeTensorsWeights.Read(stream, path), Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    private static OnnxModelFile Build(NetworkSummary summary, string name, string description, (SafeTensorsWeights Weights, string Sha256) file,
        bool foldBatchNorm)
    {
        var output = EndsInLogSoftmax(summary) ? LogProbabilitiesName : LogitsName;
        var graph = OnnxLowering.Lower(summary, file.Weights, foldBatchNorm, InputName, output);
        var metadata = new List<KeyValuePair<string, string>>
        {
            new("network", name),
            new("parameters", summary.TotalParameters.ToString(CultureInfo.InvariantCulture)),
            new("weights_sha256", file.Sha256),
            new("input", $"{InputName}: float32 [N, {summary.Input.Channels}, {summary.Input.Height}, {summary.Input.Width}], " +
                $"(pixel / 255 - mean) / std"),
            new("input_mean", MnistImages.Mean.ToString("R", CultureInfo.InvariantCulture)),
            new("input_std", MnistImages.Std.ToString("R", CultureInfo.InvariantCulture)),
            new("output", $"{output}: float32 [N, {summary.Output.Channels}]"),
            new("batchnorm", foldBatchNorm ? "folded into the Conv or Gemm it directly follows, else BatchNormalization" : "BatchNormalization"),
        };
        var doc = $"{name}{(description.Length > 0 ? ": " + description : "")}. Exported by {ProducerName} from its layers and a safetensors file " +
            $"(SHA-256 {file.Sha256}).";
        var bytes = OnnxModelWriter.Serialize(new OnnxModel(graph, ProducerName, ProducerVersion, doc, metadata));
        return new OnnxModelFile(bytes, name, summary.TotalParameters, file.Sha256, output, graph.Nodes.Select(n => n.OpType).ToArray());
    }

    /// <summary>The output is log-probabilities when the last layer that does something in eval mode is LogSoftmax.</summary>
    private static bool EndsInLogSoftmax(NetworkSummary summary) =>
        summary.Layers.LastOrDefault(l => l.Layer is not (Dropout or Dropout2d))?.Layer is LogSoftmax;

    /// <summary>This assembly's informational version (the package version, with the commit when the build knew it).</summary>
    public static string ProducerVersion { get; } =
        typeof(OnnxExport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxExport).Assembly.GetName().Version?.ToString() ?? "0";
}
