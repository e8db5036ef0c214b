namespace Mnist.Dsl.Lowering;

/// <summary>
/// One unit of a trainer on the plain-C# engine: the layer it starts at (whose kind is the unit's) with its member
/// name (its state-dict prefix; null for a functional layer); for the fused block (a Conv2d with a
/// <see cref="BatchNorm"/>), the BatchNorm2d that follows with a ReLU before or after it, its member name and the
/// dropout p after them (0 when none; <see cref="ChannelDropout"/> when it is a Dropout2d). A LogSoftmax step is one
/// before the last layer: the last one is part of the loss. <see cref="Call"/> is the TrainerBlueprint call that adds
/// the unit: the generator writes it as text, TrainerBlueprint.For makes it live.
/// </summary>
public sealed record EngineStep(LayerReport Layer, string? Member, LayerCall Call, LayerReport? BatchNorm = null, string? BatchNormMember = null,
    double Dropout = 0)
{
    public LayerKind Kind => Layer.Layer.Kind;

    /// <summary>Conv2d (any stride, padding, bias) → ReLU → BatchNorm2d (or → BatchNorm2d → ReLU) → optional Dropout or
    /// Dropout2d as one unit.</summary>
    public bool IsFused => BatchNorm is not null;

    /// <summary>The fused block's order is Conv2d → BatchNorm2d → ReLU (false: Conv2d → ReLU → BatchNorm2d).</summary>
    public bool ReluAfterBatchNorm { get; init; }

    /// <summary>The fused block's dropout is a Dropout2d (whole channels), not a Dropout.</summary>
    public bool ChannelDropout { get; init; }

    /// <summary>The unit as its layers read: "Conv2d+ReLU+BatchNorm2d+Dropout2d" for a fused block, else the layer's kind.</summary>
    public string Unit => !IsFused ? Kind.ToString()
        : "Conv2d" + (ReluAfterBatchNorm ? "+BatchNorm2d+ReLU" : "+ReLU+BatchNorm2d")
            + (Dropout > 0 ? ChannelDropout ? "+Dropout2d" : "+Dropout" : "");
}
