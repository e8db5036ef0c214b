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
                    steps.Add(new TrainerStep(layer, layers[i + 2], p));
                    i += p > 0 || Is<Dropout>(layers, i + 3) ? 3 : 2;
                    break;
                case MaxPool2d max when max.KernelSize * max.KernelSize > MaxPoolTaps:
                    return Refuse(string.Format(CultureInfo.InvariantCulture,
                        "{0}'s layer {1} is MaxPool2d({2}): the engine's max pooling handles windows of up to {3} taps (16x16); use a smaller kernel or AvgPool2d",
                        network, i + 1, max.KernelSize, MaxPoolTaps));
                case LogSoftmax when i == layers.Count - 1:
                    logSoftmax = true;
                    break;
                default:
                    steps.Add(new TrainerStep(layer));
                    break;
            }
        }
        return new TrainerPlan(steps, logSoftmax, null);
    }

    private static TrainerPlan Refuse(string reason) => new(new TrainerStep[0], false, reason);

    private static bool Is<T>(IReadOnlyList<LayerPlan> layers, int index) where T : Layer => index < layers.Count && layers[index].Layer is T;
}

/// <summary>
/// One unit of the trainer: the layer it starts at, whose kind is the unit's; for the fused block (a Conv2d with
/// <see cref="BatchNorm"/>), the BatchNorm2d and the dropout p that follow the ReLU. A LogSoftmax unit is one before
/// the last layer (the last one is part of the loss).
/// </summary>
internal sealed record TrainerStep(LayerPlan Layer, LayerPlan? BatchNorm = null, double Dropout = 0)
{
    public LayerKind Kind => Layer.Kind;
}
