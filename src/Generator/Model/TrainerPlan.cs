using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// How the network's trainer on the plain-C# engine (Mnist.Dsl.Engine) composes its step: one unit per layer, except
/// that Conv2d (stride 1, no bias) → ReLU → BatchNorm2d → optional Dropout becomes the engine's fused block (the
/// block the sample networks repeat and most of a step's time), Flatten is free and the final LogSoftmax is part of
/// the loss (one before the end is a unit of its own) (LogSoftmax + NLL; a network ending in logits gets cross-entropy). <see cref="Unsupported"/> says why a
/// network gets no trainer.
/// </summary>
internal sealed class TrainerPlan
{
    private TrainerPlan(IReadOnlyList<TrainerStep> steps, bool endsInLogSoftmax, string? unsupported)
    {
        Steps = steps;
        EndsInLogSoftmax = endsInLogSoftmax;
        Unsupported = unsupported;
    }

    public IReadOnlyList<TrainerStep> Steps { get; }

    public bool EndsInLogSoftmax { get; }

    /// <summary>Null when the engine can train the network; else one sentence naming the layer and the limit.</summary>
    public string? Unsupported { get; }

    /// <summary>Largest pooling window: the engine keeps max-pooling's winning tap in a byte.</summary>
    public const int MaxPoolTaps = 256;

    public static TrainerPlan Create(string network, IReadOnlyList<LayerPlan> layers)
    {
        var steps = new List<TrainerStep>();
        bool logSoftmax = false;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            switch (layer.Layer)
            {
                case Conv2d conv when conv.Stride == 1 && !conv.Bias && Is<ReLU>(layers, i + 1) && Is<BatchNorm2d>(layers, i + 2):
                    double p = Is<Dropout>(layers, i + 3) ? ((Dropout)layers[i + 3].Layer).P : 0;
                    steps.Add(new TrainerStep(TrainerStepKind.ConvReluBatchNorm, layer, layers[i + 2], p));
                    i += p > 0 || Is<Dropout>(layers, i + 3) ? 3 : 2;
                    break;
                case Conv2d:
                    steps.Add(new TrainerStep(TrainerStepKind.Conv, layer));
                    break;
                case MaxPool2d max when max.KernelSize * max.KernelSize > MaxPoolTaps:
                    return Refuse(string.Format(CultureInfo.InvariantCulture,
                        "{0}'s layer {1} is MaxPool2d({2}): the engine's max pooling handles windows of up to {3} taps (16x16); use a smaller kernel or AvgPool2d",
                        network, i + 1, max.KernelSize, MaxPoolTaps));
                case LogSoftmax when i != layers.Count - 1:
                    steps.Add(new TrainerStep(TrainerStepKind.LogSoftmax, layer));
                    break;
                case LogSoftmax:
                    logSoftmax = true;
                    break;
                default:
                    steps.Add(new TrainerStep(Kind(layer.Kind), layer));
                    break;
            }
        }
        return new TrainerPlan(steps, logSoftmax, null);
    }

    private static TrainerPlan Refuse(string reason) => new(new TrainerStep[0], false, reason);

    private static bool Is<T>(IReadOnlyList<LayerPlan> layers, int index) where T : Layer => index < layers.Count && layers[index].Layer is T;

    private static TrainerStepKind Kind(LayerKind kind) => kind switch
    {
        LayerKind.BatchNorm2d => TrainerStepKind.BatchNorm2d,
        LayerKind.BatchNorm1d => TrainerStepKind.BatchNorm1d,
        LayerKind.ReLU => TrainerStepKind.ReLU,
        LayerKind.Dropout => TrainerStepKind.Dropout,
        LayerKind.Dropout2d => TrainerStepKind.Dropout2d,
        LayerKind.MaxPool2d => TrainerStepKind.MaxPool2d,
        LayerKind.AvgPool2d => TrainerStepKind.AvgPool2d,
        LayerKind.GlobalAvgPool2d => TrainerStepKind.GlobalAvgPool2d,
        LayerKind.Flatten => TrainerStepKind.Flatten,
        LayerKind.Linear => TrainerStepKind.Linear,
        _ => throw new System.ArgumentOutOfRangeException(nameof(kind), kind, "a layer kind the trainer plan does not know: add it here"),
    };
}

internal enum TrainerStepKind
{
    Conv,
    ConvReluBatchNorm,
    BatchNorm2d,
    BatchNorm1d,
    ReLU,
    Dropout,
    Dropout2d,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool2d,
    Flatten,
    Linear,
    /// <summary>A LogSoftmax before the last layer (the last one is part of the loss).</summary>
    LogSoftmax,
}

/// <summary>One unit of the trainer: the layer it starts at, the BatchNorm and dropout p of a fused block.</summary>
internal sealed record TrainerStep(TrainerStepKind Kind, LayerPlan Layer, LayerPlan? BatchNorm = null, double Dropout = 0);
