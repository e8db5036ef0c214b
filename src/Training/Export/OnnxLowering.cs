using Mnist.Dsl.Analysis;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Training.Export;

/// <summary>
/// A network's layers, in eval mode, as an ONNX graph, with its weights read from a safetensors file under the
/// module's state-dict keys (<see cref="ModuleLayout"/>). Each layer kind maps to one operator or to none:
/// Conv2d → Conv, Linear → Gemm (transB), ReLU → Relu, MaxPool2d/AvgPool2d → MaxPool/AveragePool, GlobalAvgPool2d →
/// GlobalAveragePool, Flatten → Flatten, LogSoftmax → LogSoftmax over axis 1 (the features, or a map's channels at
/// each pixel, as torch's dim 1), BatchNorm → BatchNormalization with the running statistics; Dropout and Dropout2d
/// are the identity in eval mode and leave nothing. A BatchNorm that directly follows a Conv2d or Linear (Dropout in
/// between does not count, being nothing) is folded into that layer's weight and bias, in double precision as the
/// inference class folds it. A [C, 1, 1] map is flattened before a Linear and at the end, as the module's forward does.
/// Functional layers lower as their module twins: the same operator.
/// </summary>
internal sealed class OnnxLowering
{
    private readonly NetworkSummary summary;
    private readonly ModuleLayout layout;
    private readonly SafeTensorsWeights weights;
    private readonly bool foldBatchNorm;
    private readonly string network;
    private readonly List<OnnxNode> nodes = new();
    private readonly List<OnnxInitializer> initializers = new();
    private readonly HashSet<int> folded = new();

    private OnnxLowering(NetworkSummary summary, SafeTensorsWeights weights, bool foldBatchNorm)
    {
        this.summary = summary;
        layout = ModuleLayout.Of(summary);
        this.weights = weights;
        this.foldBatchNorm = foldBatchNorm;
        network = summary.Name;
    }

    /// <summary>
    /// The graph of <paramref name="summary"/>'s layers with the weights of <paramref name="weights"/>, every tensor of
    /// which must be the network's (BatchNorm's batch counts aside); a missing, misshapen or extra tensor is the
    /// <see cref="InvalidDataException"/> the network's inference class gives for it.
    /// </summary>
    public static OnnxGraph Lower(NetworkSummary summary, SafeTensorsWeights weights, bool foldBatchNorm, string input, string output)
    {
        var lowering = new OnnxLowering(summary, weights, foldBatchNorm);
        var current = input;
        foreach (var report in summary.Layers) current = lowering.Layer(report, current);
        if (summary.Output.IsPointMap) current = lowering.Flatten(current, "flatten_output");
        var counts = lowering.layout.State.Where(t => t.IsCount).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        weights.EnsureEverythingRead(summary.Name, counts.Contains);
        return lowering.Graph(input, output, current);
    }

    /// <summary>The graph, with the last node's output renamed to the graph's output (every network has a node: its input is a map, its output a vector).</summary>
    private OnnxGraph Graph(string input, string output, string last)
    {
        if (nodes.Count == 0 || nodes[^1].Output != last)
            throw new InvalidOperationException($"{network}'s ONNX graph does not end in a node that computes its output; the lowering is wrong.");
        nodes[^1] = nodes[^1] with { Output = output };
        var batch = (long?)null;
        var inputShape = new[] { batch, summary.Input.Channels, summary.Input.Height, summary.Input.Width };
        return new OnnxGraph(network, input, inputShape, output, new[] { batch, summary.Output.Channels }, nodes, initializers);
    }

    /// <summary>One layer: the name of the tensor it outputs (its input's, when eval mode makes it nothing). Exhaustive over <see cref="LayerKind"/>.</summary>
    private string Layer(LayerReport report, string x) => report.Layer.Kind switch
    {
        LayerKind.Conv2d => Conv(report, (Conv2d)report.Layer, x),
        LayerKind.BatchNorm2d => folded.Contains(report.Index) ? x : BatchNorm(report, ((BatchNorm2d)report.Layer).Eps, x),
        LayerKind.BatchNorm1d => folded.Contains(report.Index) ? x : BatchNorm(report, ((BatchNorm1d)report.Layer).Eps, x),
        LayerKind.ReLU => Node("Relu", NodeName(report), new[] { x }),
        LayerKind.Dropout => x,
        LayerKind.Dropout2d => x,
        LayerKind.MaxPool2d => Pool("MaxPool", report, ((MaxPool2d)report.Layer).KernelSize, ((MaxPool2d)report.Layer).EffectiveStride, x),
        LayerKind.AvgPool2d => Pool("AveragePool", report, ((AvgPool2d)report.Layer).KernelSize, ((AvgPool2d)report.Layer).EffectiveStride, x),
        LayerKind.GlobalAvgPool2d => Node("GlobalAveragePool", NodeName(report), new[] { x }),
        LayerKind.Flatten => report.Input.IsFlat ? x : Flatten(x, NodeName(report)),
        LayerKind.Linear => Linear(report, (Linear)report.Layer, report.Input.IsPointMap ? Flatten(x, NodeName(report) + "_flatten") : x),
        LayerKind.LogSoftmax => Node("LogSoftmax", NodeName(report), new[] { x }, new OnnxAttribute.Int("axis", 1)),
    };

    /// <summary>Dropout is nothing in eval mode, so a BatchNorm after a convolution and a Dropout still directly follows it. Exhaustive over <see cref="LayerKind"/>.</summary>
    private static bool IsIdentityInEval(LayerKind kind) => kind switch
    {
        LayerKind.Dropout or LayerKind.Dropout2d => true,
        LayerKind.Conv2d or LayerKind.BatchNorm2d or LayerKind.BatchNorm1d or LayerKind.ReLU or LayerKind.MaxPool2d or LayerKind.AvgPool2d
            or LayerKind.GlobalAvgPool2d or LayerKind.Flatten or LayerKind.Linear or LayerKind.LogSoftmax => false,
    };

    private string Conv(LayerReport report, Conv2d conv, string x)
    {
        var name = Member(report);
        // A grouped weight is [out, in / groups, k, k] in both PyTorch and ONNX; folding scales output channels either way.
        var (outChannels, inChannels, k) = (conv.OutChannels, report.Input.Channels / conv.Groups, conv.KernelSize);
        var weight = weights.ReadFloat32(network, name + ".weight", outChannels, inChannels, k, k);
        var bias = conv.Bias ? weights.ReadFloat32(network, name + ".bias", outChannels) : null;
        var (w, b, suffix) = FoldFollowingBatchNorm(report, LayerKind.BatchNorm2d, weight, bias, outChannels);
        var inputs = new List<string> { x, Initializer(name + suffix + ".weight", new long[] { outChannels, inChannels, k, k }, w) };
        if (b is not null) inputs.Add(Initializer(name + suffix + ".bias", new long[] { outChannels }, b));
        var attributes = new List<OnnxAttribute>
        {
            new OnnxAttribute.Ints("kernel_shape", new long[] { k, k }),
            new OnnxAttribute.Ints("strides", new long[] { conv.Stride, conv.Stride }),
            new OnnxAttribute.Ints("pads", new long[] { conv.Padding, conv.Padding, conv.Padding, conv.Padding }),
        };
        // ONNX's default is 1: written only when it is not, so an ordinary convolution's file is what it was.
        if (conv.Groups != 1) attributes.Add(new OnnxAttribute.Int("group", conv.Groups));
        return Node("Conv", name + suffix, inputs, attributes.ToArray());
    }

    private string Linear(LayerReport report, Linear linear, string x)
    {
        var name = Member(report);
        var (outFeatures, inFeatures) = (linear.OutFeatures, report.Input.Channels);
        var weight = weights.ReadFloat32(network, name + ".weight", outFeatures, inFeatures);
        var bias = linear.Bias ? weights.ReadFloat32(network, name + ".bias", outFeatures) : null;
        var (w, b, suffix) = FoldFollowingBatchNorm(report, LayerKind.BatchNorm1d, weight, bias, outFeatures);
        var inputs = new List<string> { x, Initializer(name + suffix + ".weight", new long[] { outFeatures, inFeatures }, w) };
        if (b is not null) inputs.Add(Initializer(name + suffix + ".bias", new long[] { outFeatures }, b));
        // Y = X·Wᵀ + b: torch.nn.Linear's weight is [out, in], so Gemm transposes it.
        return Node("Gemm", name + suffix, inputs, new OnnxAttribute.Int("transB", 1));
    }

    /// <summary>
    /// The weight and bias with the next layer folded in when it is a BatchNorm of <paramref name="kind"/> (after any
    /// Dropout): W·s per output channel, b·s + t (b = 0 without a bias), with s = γ/√(var+ε) and t = β − mean·s in
    /// double, rounded once to float32. The suffix names the fused initializers ("+bn1").
    /// </summary>
    private (float[] Weight, float[]? Bias, string Suffix) FoldFollowingBatchNorm(LayerReport report, LayerKind kind, float[] weight, float[]? bias, int channels)
    {
        if (!foldBatchNorm) return (weight, bias, "");
        var next = report.Index + 1;
        while (next < summary.Layers.Count && IsIdentityInEval(summary.Layers[next].Layer.Kind)) next++;
        if (next == summary.Layers.Count || summary.Layers[next].Layer.Kind != kind) return (weight, bias, "");
        var batchNorm = summary.Layers[next];
        var member = Member(batchNorm);
        var affine = ChannelAffine.BatchNorm(weights, network, member, channels, Eps(batchNorm.Layer));
        folded.Add(next);
        var perChannel = weight.Length / channels;
        var foldedWeight = new float[weight.Length];
        var foldedBias = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            for (var i = c * perChannel; i < (c + 1) * perChannel; i++) foldedWeight[i] = (float)(weight[i] * affine.Scale[c]);
            foldedBias[c] = (float)((bias?[c] ?? 0.0) * affine.Scale[c] + affine.Shift[c]);
        }
        return (foldedWeight, foldedBias, "+" + member);
    }

    private static double Eps(Layer layer) => layer switch
    {
        BatchNorm2d b => b.Eps,
        BatchNorm1d b => b.Eps,
        _ => throw new ArgumentException($"{layer} is not a BatchNorm", nameof(layer)),
    };

    /// <summary>BatchNormalization in inference mode (training_mode 0): γ, β and the running mean and variance as they are in the file.</summary>
    private string BatchNorm(LayerReport report, double eps, string x)
    {
        var name = Member(report);
        var channels = report.Input.Channels;
        var inputs = new[] { "weight", "bias", "running_mean", "running_var" }
            .Select(entry => Initializer(name + "." + entry, new long[] { channels }, weights.ReadFloat32(network, name + "." + entry, channels)));
        return Node("BatchNormalization", name, inputs.Prepend(x).ToArray(), new OnnxAttribute.Float("epsilon", (float)eps));
    }

    private string Pool(string op, LayerReport report, int kernel, int stride, string x) =>
        Node(op, NodeName(report), new[] { x },
            new OnnxAttribute.Ints("kernel_shape", new long[] { kernel, kernel }),
            new OnnxAttribute.Ints("strides", new long[] { stride, stride }));

    private string Flatten(string x, string name) => Node("Flatten", name, new[] { x }, new OnnxAttribute.Int("axis", 1));

    /// <summary>Adds a node whose output tensor has the node's name; returns that name.</summary>
    private string Node(string op, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        nodes.Add(new OnnxNode(op, name, inputs, name, attributes));
        return name;
    }

    private string Initializer(string name, long[] dims, float[] values)
    {
        initializers.Add(new OnnxInitializer(name, dims, values));
        return name;
    }

    /// <summary>The module member of a layer with state (conv1, bn2, fc1): its weights' key prefix.</summary>
    private string Member(LayerReport report) =>
        layout.Members[report.Index] ?? throw new InvalidOperationException($"{report.Layer.Kind} (layer {report.Index + 1} of {network}) has state but no module member");

    /// <summary>The member name of a module layer (relu3), or the stem and position of a functional one (relu_f7): unique in the graph.</summary>
    private string NodeName(LayerReport report) =>
        layout.Members[report.Index] ?? ModuleLayout.Stem(report.Layer.Kind) + "_f" + (report.Index + 1).ToString(CultureInfo.InvariantCulture);
}
