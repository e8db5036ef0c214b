namespace Mnist.Dsl.Layers;

/// <summary>
/// The layer kinds, one name per <see cref="Layer"/> record. Code that does something different per kind switches
/// on <see cref="Layer.Kind"/> with a switch expression and no discard arm, so that a kind added here is a compile
/// error (CS8509) in every place that must learn it, instead of a silent fallback; the tests walk every value
/// through every such switch.
/// <para>
/// A new kind touches: its name here; its record (Layers/Layer.cs); its attribute, named after it with Attribute
/// (Attributes/LayerAttributes.cs); its defaults, if it has new ones (Layers/LayerDefaults.cs); its algebra
/// (Analysis/NetworkAnalysis.cs); its member stem and state-dict entries (Analysis/ModuleLayout.cs); its module and
/// functional call in the run-time module builder (src/Training/Definitions/DefinedModule.cs); its engine unit: the
/// lowering (Lowering/EngineLowering.cs, if it fuses or the engine refuses some of it), the blueprint call made at run
/// time (src/Engine/Composition/TrainerBlueprint.For.cs) and the same call as the generator writes it
/// (src/Generator/Emitting/TrainerEmitter.cs); in the generator, its row (Emitting/LayerKindTable.cs) and its inference
/// lowering (Emitting/Inference/InferencePlan.cs, and KernelWriter.cs if it needs a new kind of stage). The attribute
/// reader (src/Declarations/NetworkAttributeReader.cs), the row, both blueprint calls and the tests' sample
/// (LayerKindTests) do not compile until they know it; the tests name the kind if the algebra or the lowering does not.
/// </para>
/// </summary>
public enum LayerKind
{
    Conv2d,
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
    LogSoftmax,
}
