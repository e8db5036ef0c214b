using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Lowering;

/// <summary>
/// How a network trains on the plain-C# engine (Mnist.Dsl.Engine): the units of its step in order. One unit per
/// layer, except that Conv2d (stride 1, no bias, groups 1) → ReLU → BatchNorm2d → optional Dropout becomes the engine's fused
/// block (the block the sample networks repeat and most of a step's time), and the final LogSoftmax is part of the
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

    /// <summary>The lowering of a definition; one whose shapes do not work or that breaks a rule is refused with the analyzer's first error.</summary>
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
                case Conv2d conv when conv.Stride == 1 && !conv.Bias && conv.Groups == 1 && Is<ReLU>(layers, i + 1) && Is<BatchNorm2d>(layers, i + 2):
                    bool dropout = Is<Dropout>(layers, i + 3);
                    steps.Add(new EngineStep(layer, members[i], layers[i + 2], members[i + 2], dropout ? ((Dropout)layers[i + 3].Layer).P : 0));
                    i += dropout ? 3 : 2;
                    break;
                case MaxPool2d max when (long)max.KernelSize * max.KernelSize > MaxPoolTaps:
                    return Refuse(network, string.Format(CultureInfo.InvariantCulture,
                        "{0}'s layer {1} is MaxPool2d({2}): the engine's max pooling handles windows of up to {3} taps (16x16); use a smaller kernel or AvgPool2d",
                        network.Name, i + 1, max.KernelSize, MaxPoolTaps));
                case LogSoftmax when i == layers.Count - 1:
                    logSoftmax = true;
                    break;
                default:
                    steps.Add(new EngineStep(layer, members[i]));
                    break;
            }
        }
        return new EngineLowering(network, steps, logSoftmax, null);
    }

    private static EngineLowering Refuse(NetworkDefinition network, string reason) => new(network, new EngineStep[0], false, reason);

    private static bool Is<T>(IReadOnlyList<LayerReport> layers, int index) where T : Layer => index < layers.Count && layers[index].Layer is T;
}
