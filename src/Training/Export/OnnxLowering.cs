using Mnist.Dsl.Analysis;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Training.Export;

/// <summary>
/// A network's layers, in eval mode, as an ONNX graph, with its weights read from a safetensors file under the
/// module's state-dict keys (<see cref="ModuleLayout"/>). Each layer kind maps to one operator or to none:
/// Conv2d → Conv, Linear → Gemm (transB), ReLU → Relu, an elementwise kind → the node its record describes (LeakyReLU →
/// LeakyRelu with alpha), MaxPool2d/AvgPool2d → MaxPool/AveragePool, GlobalAvgPool2d →
/// GlobalAveragePool, Flatten → Flatten, LogSoftmax → LogSoftmax over axis 1 (the features, or a map's channels at
/// each pixel, as torch's dim 1), BatchNorm → BatchNormalization with the running statistics; Dropout and Dropout2d
/// are the identity in eval mode and leave nothing. A BatchNorm that directly follows a Conv2d or Linear (Dropout in
/// between does not count, being nothing) is folded into that layer's weight and bias, in double precision as the
/// inference class folds it. A [C, 1, 1] map is flattened before a Linear and at the end, as the module's forward does.
/// Functional layers lower as their module twins: the same operator.
/// </summary>
internal sealed class OnnxLowering
{
    private readonly NetworkSummary _summary;
    private readonly ModuleLayout _layout;
    private readonly SafeTensorsWeights _weights;
    private readonly bool _foldBatchNorm;
    private readonly string _network;
    private readonly List<OnnxNode> _nodes = new();
    private readonly List<OnnxInitializer> _initializers = new();
    private readonly HashSet<int> _folded = new();

    private OnnxLowering(NetworkSummary summary, SafeTensorsWeights weights, bool foldBatchNorm)
    {
        _summary = summary;
        _layout = ModuleLayout.Of(summary);
        _weights = weights;
        _foldBatchNorm = foldBatchNorm;
        _network = summary.Name;
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
        var counts = lowering._layout.State.Where(t => t.IsCount).Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        weights.EnsureEverythingRead(summary.Name, counts.Contains);
        return lowering.Graph(input, output, current);
    }

    /// <summary>The graph, with the last node's output renamed to the graph's output (every network has a node: its
    /// input is a map, its output a vector).</summary>
    private OnnxGraph Graph(string input, string output, string last)
    {
        if (_nodes.Count == 0 || _nodes[^1].Output != last)
            throw new InvalidOperationException($"{_network}'s ONNX graph does not end in a node that computes its output; the lowering is wrong.");
        _nodes[^1] = _nodes[^1] with { Output = output };
        var batch = (long?)null;
        var inputShape = new[] { batch, _summary.Input.Channels, _summary.Input.Height, _summary.Input.Width };
        return new OnnxGraph(_network, input, inputShape, output, new[] { batch, _summary.Output.Channels }, _nodes, _initializers);
    }

    /// <summary>One layer: the name of the tensor it outputs (its input's, when eval mode makes it nothing). Exhaustive
    /// over <see cref="LayerForm"/>; an elementwise kind is the node its record describes.</summary>
    private string Layer(LayerReport report, string x) => report.Layer.Form switch
    {
        LayerForm.Convolution => Conv(report, (Conv2d)report.Layer, x),
        LayerForm.BatchNorm => _folded.Contains(report.Index) ? x : BatchNorm(report, ((BatchNormLayer)report.Layer).Eps, x),
        LayerForm.ReLU => Node("Relu", NodeName(report), new[] { x }),
        LayerForm.Elementwise => Elementwise(report, ((ElementwiseLayer)report.Layer).OnnxNode, x),
        LayerForm.Identity => x,
        LayerForm.Pool => Pool(report, (Pool2dLayer)report.Layer, x),
        LayerForm.GlobalAvgPool => Node("GlobalAveragePool", NodeName(report), new[] { x }),
        LayerForm.Flatten => report.Input.IsFlat ? x : Flatten(x, NodeName(report)),
        LayerForm.Linear => Linear(report, (Linear)report.Layer, report.Input.IsPointMap ? Flatten(x, NodeName(report) + "_flatten") : x),
        LayerForm.LogSoftmax => Node("LogSoftmax", NodeName(report), new[] { x }, new OnnxAttribute.Int("axis", 1)),
    };

    /// <summary>The node an elementwise kind's record describes: its operator, each named int argument an INT attribute and
    /// each double a FLOAT (rounded to float, as ONNX stores it).</summary>
    private string Elementwise(LayerReport report, LayerCall node, string x) =>
        Node(node.Function, NodeName(report), new[] { x }, node.Arguments.Select(a => Attribute(report, node, a)).ToArray());

    private OnnxAttribute Attribute(LayerReport report, LayerCall node, CallArgument argument) => (argument.Kind, argument.Name) switch
    {
        (CallArgumentKind.Int, { } name) => new OnnxAttribute.Int(name, argument.Int),
        (CallArgumentKind.Double, { } name) => new OnnxAttribute.Float(name, (float)argument.Double),
        _ => throw new InvalidOperationException(
            $"{report.Layer.Kind} (layer {report.Index + 1} of {_network}) describes its ONNX node as {node}; an attribute must be a named int or double"),
    };

    private string Conv(LayerReport report, Conv2d conv, string x)
    {
        var name = Member(report);
        // A grouped weight is [out, in / groups, k, k] in both PyTorch and ONNX; folding scales output channels either way.
        var (outChannels, inChannels, k) = (conv.OutChannels, report.Input.Channels / conv.Groups, conv.KernelSize);
        var weight = _weights.ReadFloat32(_network, name + ".weight", outChannels, inChannels, k, k);
        var bias = conv.Bias ? _weights.ReadFloat32(_network, name + ".bias", outChannels) : null;
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
        var weight = _weights.ReadFloat32(_network, name + ".weight", outFeatures, inFeatures);
        var bias = linear.Bias ? _weights.ReadFloat32(_network, name + ".bias", outFeatures) : null;
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
    private (float[] Weight, float[]? Bias, string Suffix) FoldFollowingBatchNorm(LayerReport report, LayerKind kind, float[] weight, float[]? bias,
        int channels)
    {
        if (!_foldBatchNorm) return (weight, bias, "");
        var next = report.Index + 1;
        // Dropout is nothing in eval mode, so a BatchNorm after a convolution and a Dropout still directly follows it.
        while (next < _summary.Layers.Count && _summary.Layers[next].Layer.Form == LayerForm.Identity) next++;
        if (next == _summary.Layers.Count || _summary.Layers[next].Layer.Kind != kind) return (weight, bias, "");
        var batchNorm = _summary.Layers[next];
        var member = Member(batchNorm);
        var affine = ChannelAffine.BatchNorm(_weights, _network, member, channels, Eps(batchNorm.Layer));
        _folded.Add(next);
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

    private static double Eps(Layer layer) => ((BatchNormLayer)layer).Eps;

    /// <summary>BatchNormalization in inference mode (training_mode 0): γ, β and the running mean and variance as they are in the file.</summary>
    private string BatchNorm(LayerReport report, double eps, string x)
    {
        var name = Member(report);
        var channels = report.Input.Channels;
        var inputs = new[] { "weight", "bias", "running_mean", "running_var" }
            .Select(entry => Initializer(name + "." + entry, new long[] { channels }, _weights.ReadFloat32(_network, name + "." + entry, channels)));
        return Node("BatchNormalization", name, inputs.Prepend(x).ToArray(), new OnnxAttribute.Float("epsilon", (float)eps));
    }

    private string Pool(LayerReport report, Pool2dLayer pool, string x) =>
        Node(pool.Kind == LayerKind.MaxPool2d ? "MaxPool" : "AveragePool", NodeName(report), new[] { x },
            new OnnxAttribute.Ints("kernel_shape", new long[] { pool.KernelSize, pool.KernelSize }),
            new OnnxAttribute.Ints("strides", new long[] { pool.EffectiveStride, pool.EffectiveStride }));

    private string Flatten(string x, string name) => Node("Flatten", name, new[] { x }, new OnnxAttribute.Int("axis", 1));

    /// <summary>Adds a node whose output tensor has the node's name; returns that name.</summary>
    private string Node(string op, string name, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        _nodes.Add(new OnnxNode(op, name, inputs, name, attributes));
        return name;
    }

    private string Initializer(string name, long[] dims, float[] values)
    {
        _initializers.Add(new OnnxInitializer(name, dims, values));
        return name;
    }

    /// <summary>The module member of a layer with state (conv1, bn2, fc1): its weights' key prefix.</summary>
    private string Member(LayerReport report) =>
        _layout.Members[report.Index]
            ?? throw new InvalidOperationException($"{report.Layer.Kind} (layer {report.Index + 1} of {_network}) has state but no module member");

    /// <summary>The member name of a module layer (relu3), or the stem and position of a functional one (relu_f7): unique in the graph.</summary>
    private string NodeName(LayerReport report) =>
        _layout.Members[report.Index] ?? report.Layer.MemberStem + "_f" + (report.Index + 1).ToString(CultureInfo.InvariantCulture);
}
