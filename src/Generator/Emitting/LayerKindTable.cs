using System.Globalization;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// The generator's one table of layer kinds: per kind, what its layer is in every artefact (<see cref="LayerCode"/>:
/// module, functional call, Definition entry, inference description). The switch
/// is exhaustive over <see cref="LayerKind"/> (no discard arm): a new kind does not compile until its row is here.
/// Its algebra is Mnist.Dsl's (NetworkAnalysis), its member names and state-dict entries Mnist.Dsl's too (ModuleLayout, which
/// the run-time module builder shares); its inference lowering is <see cref="Inference.InferencePlan"/>'s.
/// </summary>
internal static class LayerKindTable
{
    /// <summary>The row of <paramref name="layer"/>, whose input the layer algebra computed as <paramref name="input"/>.</summary>
    public static LayerCode Of(Layer layer, Shape input)
    {
        var functional = Code.Bool(layer.IsFunctional);
        return layer.Kind switch
        {
            LayerKind.Conv2d => Convolution((Conv2d)layer, input.Channels),
            LayerKind.BatchNorm2d => BatchNorm("BatchNorm2d", input.Channels, ((BatchNorm2d)layer).Momentum, ((BatchNorm2d)layer).Eps),
            LayerKind.BatchNorm1d => BatchNorm("BatchNorm1d", input.Channels, ((BatchNorm1d)layer).Momentum, ((BatchNorm1d)layer).Eps),
            LayerKind.ReLU => Stateless("nn.ReLU()", "nn.functional.relu(x)", $"ReLU({functional})", "ReLU"),
            LayerKind.Dropout => Dropout("Dropout", "dropout", ((Dropout)layer).P, functional),
            LayerKind.Dropout2d => Dropout("Dropout2d", "dropout2d", ((Dropout2d)layer).P, functional),
            LayerKind.MaxPool2d => Pool("MaxPool2d", "max_pool2d", ((MaxPool2d)layer).KernelSize, ((MaxPool2d)layer).Stride, ((MaxPool2d)layer).EffectiveStride, functional),
            LayerKind.AvgPool2d => Pool("AvgPool2d", "avg_pool2d", ((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).Stride, ((AvgPool2d)layer).EffectiveStride, functional),
            LayerKind.GlobalAvgPool2d => Stateless("nn.AdaptiveAvgPool2d(1)", "nn.functional.adaptive_avg_pool2d(x, 1)", $"GlobalAvgPool2d({functional})", "global average pooling"),
            LayerKind.Flatten => Stateless("nn.Flatten()", "x.flatten(1)", $"Flatten({functional})", "Flatten"),
            LayerKind.Linear => FullyConnected((Linear)layer, input.Channels),
            LayerKind.LogSoftmax => Stateless("nn.LogSoftmax(1)", "nn.functional.log_softmax(x, 1)", $"LogSoftmax({functional})", "LogSoftmax"),
        };
    }

    private static LayerCode Stateless(string module, string functional, string definition, string description) =>
        new(module, functional, Layers + definition, description);

    /// <summary>Groups are written only when not 1, so the code of an ordinary convolution reads as it did before groups existed.</summary>
    private static LayerCode Convolution(Conv2d c, int inChannels) => new(
        $"nn.Conv2d({Code.Int(inChannels)}, {Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}"
            + (c.Groups != 1 ? $", groups: {Code.Int(c.Groups)}" : "") + $", bias: {Code.Bool(c.Bias)})",
        null,
        Layers + $"Conv2d({Code.Int(c.OutChannels)}, {Code.Int(c.KernelSize)}, {Code.Int(c.Stride)}, {Code.Int(c.Padding)}, {Code.Bool(c.Bias)}, {Code.Int(c.InChannels)}"
            + (c.Groups != 1 ? $", {Code.Int(c.Groups)}" : "") + ")",
        string.Format(CultureInfo.InvariantCulture, "Conv2d {0} → {1}, {2}×{2}", inChannels, c.OutChannels, c.KernelSize)
            + (c.Stride != 1 ? string.Format(CultureInfo.InvariantCulture, ", stride {0}", c.Stride) : "")
            + (c.Padding != 0 ? string.Format(CultureInfo.InvariantCulture, ", padding {0}", c.Padding) : "")
            + (c.Groups == 1 ? "" : c.Groups == inChannels && c.Groups == c.OutChannels ? ", depthwise" : string.Format(CultureInfo.InvariantCulture, ", {0} groups", c.Groups))
            + (c.Bias ? "" : ", no bias"));

    /// <summary>torch.nn's BatchNorm takes eps before momentum; the record (and the attribute) momentum first.</summary>
    private static LayerCode BatchNorm(string kind, int channels, double momentum, double eps) => new(
        $"nn.{kind}({Code.Int(channels)}, {Code.Double(eps)}, {Code.Double(momentum)})", null,
        Layers + $"{kind}({Code.Double(momentum)}, {Code.Double(eps)})", kind);

    private static LayerCode Dropout(string kind, string function, double p, string functional) => new(
        $"nn.{kind}({Code.Double(p)})", $"nn.functional.{function}(x, {Code.Double(p)}, training)",
        Layers + $"{kind}({Code.Double(p)}, {functional})", string.Format(CultureInfo.InvariantCulture, "{0}({1})", kind, p));

    /// <summary>The module and the call get the effective stride; the Definition keeps the declared one (0: the kernel size).</summary>
    private static LayerCode Pool(string kind, string function, int kernel, int declaredStride, int stride, string functional) => new(
        $"nn.{kind}({Code.Int(kernel)}, {Code.Int(stride)})", $"nn.functional.{function}(x, {Code.Int(kernel)}, {Code.Int(stride)})",
        Layers + $"{kind}({Code.Int(kernel)}, {Code.Int(declaredStride)}, {functional})",
        string.Format(CultureInfo.InvariantCulture, "{0} {1}×{1}, stride {2}", kind, kernel, stride));

    private static LayerCode FullyConnected(Linear l, int inFeatures) => new(
        $"nn.Linear({Code.Int(inFeatures)}, {Code.Int(l.OutFeatures)}, {Code.Bool(l.Bias)})", null,
        Layers + $"Linear({Code.Int(l.OutFeatures)}, {Code.Bool(l.Bias)}, {Code.Int(l.InFeatures)})",
        string.Format(CultureInfo.InvariantCulture, "Linear {0} → {1}", inFeatures, l.OutFeatures) + (l.Bias ? "" : ", no bias"));

    private const string Layers = "new global::Mnist.Dsl.Layers.";
}
