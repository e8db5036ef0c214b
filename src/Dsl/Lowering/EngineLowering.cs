namespace Mnist.Dsl.Lowering;

/// <summary>
/// How a network trains on the plain-C# engine (Mnist.Dsl.Engine): the units of its step in order. One unit per
/// layer, except that Conv2d (groups 1) → ReLU → BatchNorm2d (or Conv2d → BatchNorm2d → ReLU) → optional Dropout or
/// Dropout2d becomes the engine's fused block (what users write and most of a step's time), and the final LogSoftmax is part of the
/// loss (LogSoftmax + NLL; a network ending in logits gets cross-entropy; a LogSoftmax before the end is a unit of its
/// own). <see cref="Unsupported"/> says why a network gets no trainer. The one lowering: the generator writes a
/// network's <c>Trainer</c> from it, and the engine's <c>TrainerBlueprint.For(definition)</c> composes a network
/// declared at run time (an F# list) from it, so both are the same units.
/// </summary>
public sealed class EngineLowering
{
    /// <summary>Largest pooling window: the engine keeps max-pooling's winning tap in a byte.</summary>
    public const int MaxPoolTaps = 256;

    private EngineLowering(NetworkDefinition network, IReadOnlyList<EngineStep> steps, bool endsInLogSoftmax, string? unsupported)
    {
        Network = network;
        Steps = steps;
        EndsInLogSoftmax = endsInLogSoftmax;
        Unsupported = unsupported;
    }

    /// <summary>The network lowered (its name, input and classes).</summary>
    public NetworkDefinition Network { get; }

    /// <summary>The units in order; empty when <see cref="Unsupported"/>.</summary>
    public IReadOnlyList<EngineStep> Steps { get; }

    /// <summary>The last layer is LogSoftmax, so the loss is NLL on it; false: logits with cross-entropy.</summary>
    public bool EndsInLogSoftmax { get; }

    /// <summary>Null when the engine can train the network; else one sentence naming the layer and the limit.</summary>
    public string? Unsupported { get; }

    /// <summary>The lowering of a definition; one whose shapes do not work or that breaks a rule is refused with the
    /// analyzer's first error.</summary>
    public static EngineLowering Of(NetworkDefinition network)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        var report = NetworkAnalysis.Analyze(network);
        if (report.Summary is null || !report.IsValid)
        {
            var error = report.Violations.FirstOrDefault(v => !v.IsWarning)?.Message ?? network.Name + "'s shapes do not work";
            return Refuse(network, error);
        }
        return Of(network, report.Summary);
    }

    /// <summary>The lowering of a network whose shapes work (<paramref name="summary"/> is its analysis).</summary>
    public static EngineLowering Of(NetworkDefinition network, NetworkSummary summary)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (summary is null) throw new ArgumentNullException(nameof(summary));
        var members = ModuleLayout.Of(summary).Members;
        var layers = summary.Layers;
        var steps = new List<EngineStep>();
        bool logSoftmax = false;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            switch (layer.Layer)
            {
                case Conv2d conv when conv.Groups == 1 && FusedBlockAt(layers, i) is var (order, length) && length > 0:
                    var last = layers[i + length - 1].Layer;
                    int normalization = i + (order == BlockOrder.ReluFirst ? 2 : 1);
                    var p = last switch { Dropout d => d.P, Dropout2d d => d.P, _ => 0 };
                    var fused = new FusedBlock(order == BlockOrder.BatchNormFirst, last is Dropout2d, p);
                    steps.Add(new EngineStep(layer, members[i], Fused(layer, conv, members[i]!, (BatchNorm2d)layers[normalization].Layer,
                        members[normalization]!, fused), layers[normalization], members[normalization], p)
                    {
                        ReluAfterBatchNorm = fused.ReluAfterBatchNorm,
                        ChannelDropout = fused.ChannelDropout,
                    });
                    i += length - 1;
                    break;
                case MaxPool2d max when (long)max.KernelSize * max.KernelSize > MaxPoolTaps:
                    return Refuse(network, string.Format(CultureInfo.InvariantCulture,
                        "{0}'s layer {1} is MaxPool2d({2}): the engine's max pooling handles windows of up to {3} taps (16x16); " +
                            "use a smaller kernel or AvgPool2d",
                        network.Name, i + 1, max.KernelSize, MaxPoolTaps));
                case LogSoftmax when i == layers.Count - 1:
                    logSoftmax = true;
                    break;
                default:
                    steps.Add(new EngineStep(layer, members[i], layer.Layer.EngineCall(layer, members[i])));
                    break;
            }
        }
        return new EngineLowering(network, steps, logSoftmax, null);
    }

    /// <summary>The fused block's order and dropout: what its blueprint call says beyond the convolution and the BatchNorm.</summary>
    private readonly record struct FusedBlock(bool ReluAfterBatchNorm, bool ChannelDropout, double Dropout);

    /// <summary>
    /// The blueprint's call for the fused block. Stride, bias and Dropout2d are written only where they differ from the
    /// block the samples repeat, so those calls read as before.
    /// </summary>
    private static LayerCall Fused(LayerReport report, Conv2d conv, string convMember, BatchNorm2d bn, string batchNormMember, FusedBlock block)
    {
        var arguments = new List<CallArgument>
        {
            CallArgument.Of(convMember), CallArgument.Of(batchNormMember), CallArgument.Of(report.Input.Channels, "inChannels"),
            CallArgument.Of(conv.OutChannels, "outChannels"), CallArgument.Of(conv.KernelSize, "kernel"), CallArgument.Of(conv.Padding, "padding"),
            CallArgument.Of(bn.Momentum, "momentum"), CallArgument.Of(bn.Eps, "eps"), CallArgument.Of(block.Dropout, "dropout"),
        };
        if (conv.Stride != 1) arguments.Add(CallArgument.Of(conv.Stride, "stride"));
        if (conv.Bias) arguments.Add(CallArgument.Of(true, "bias"));
        if (block.ChannelDropout) arguments.Add(CallArgument.Of(true, "channelDropout"));
        return new LayerCall(block.ReluAfterBatchNorm ? "ConvBatchNormRelu2d" : "ConvReluBatchNorm2d", arguments.ToArray());
    }

    private enum BlockOrder { ReluFirst, BatchNormFirst }

    /// <summary>
    /// The fused block that starts at the Conv2d at <paramref name="i"/>: Conv2d → ReLU → BatchNorm2d or Conv2d →
    /// BatchNorm2d → ReLU, then an optional Dropout or Dropout2d; its order and its length in layers (0: no block). Every
    /// Conv2d the engine trains (any kernel, stride, padding, bias) runs fused; a new convolution kind that the fused
    /// unit does not run is excluded here.
    /// </summary>
    private static (BlockOrder Order, int Length) FusedBlockAt(IReadOnlyList<LayerReport> layers, int i)
    {
        BlockOrder order;
        if (Is<ReLU>(layers, i + 1) && Is<BatchNorm2d>(layers, i + 2)) order = BlockOrder.ReluFirst;
        else if (Is<BatchNorm2d>(layers, i + 1) && Is<ReLU>(layers, i + 2)) order = BlockOrder.BatchNormFirst;
        else return (BlockOrder.ReluFirst, 0);
        return (order, Is<Dropout>(layers, i + 3) || Is<Dropout2d>(layers, i + 3) ? 4 : 3);
    }

    private static EngineLowering Refuse(NetworkDefinition network, string reason) => new(network, new EngineStep[0], false, reason);

    private static bool Is<T>(IReadOnlyList<LayerReport> layers, int index) where T : Layer => index < layers.Count && layers[index].Layer is T;
}
