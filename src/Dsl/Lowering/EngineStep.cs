using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Lowering;

/// <summary>
/// One unit of a trainer on the plain-C# engine: the layer it starts at (whose kind is the unit's) with its member
/// name (its state-dict prefix; null for a functional layer); for the fused block (a Conv2d with a
/// <see cref="BatchNorm"/>), the BatchNorm2d that follows the ReLU, its member name and the dropout p after it (0 when
/// none). A LogSoftmax step is one before the last layer: the last one is part of the loss. <see cref="Call"/> is the
/// TrainerBlueprint call that adds the unit: the generator writes it as text, TrainerBlueprint.For makes it live.
/// </summary>
public sealed record EngineStep(LayerReport Layer, string? Member, LayerCall Call, LayerReport? BatchNorm = null, string? BatchNormMember = null, double Dropout = 0)
{
    public LayerKind Kind => Layer.Layer.Kind;

    /// <summary>Conv2d (stride 1, no bias) → ReLU → BatchNorm2d → optional Dropout as one unit.</summary>
    public bool IsFused => BatchNorm is not null;
}
