namespace Mnist.Dsl.Layers;

/// <summary>
/// The layer kinds, one name per <see cref="Layer"/> record. What a kind is in every artefact is said by its record
/// (abstract members: a record that leaves one out does not compile). The few places that still do something per kind
/// outside it switch on <see cref="Layer.Kind"/> with a switch expression and no discard arm, so that a kind added here
/// is a compile error (CS8509) in each of them instead of a silent fallback; the tests walk every value through them.
/// <para>
/// A new kind touches, in src: its name here; its record, which is its descriptor (Layers/Kinds/&lt;Kind&gt;.cs: its
/// algebra, member stem, state entries and shapes, TorchSharp module and functional call, engine blueprint call,
/// description; its own defaults as constants there), whose abstract members do not let it compile until each is
/// said; its attribute, named after it with Attribute (Attributes/LayerAttributes.cs), whose constructor takes the
/// record's first arguments and whose properties the rest by name (then every reader reads it with no code: C#, the F#
/// build check and the run-time discovery share Analysis/CompiledNetworkDefinition.ToLayer); its inference lowering
/// (src/Generator/Model/Inference/InferenceLowering.cs), with a stage, its call and a kernel if no existing stage does it
/// (Model/Inference/InferenceStages.cs, Emitting/Inference/StageCallWriter.cs, src/Dsl/Inference/Kernels); its ONNX
/// operator (src/Training/Export/OnnxLowering.cs); and, for the engine, its unit and kernels (src/Engine/Composition,
/// src/Engine/Layers) with the blueprint method that adds it (Composition/TrainerBlueprint.cs), which the generated
/// trainer and TrainerBlueprint.For both reach through the record's engine call. Lowering/EngineLowering.cs only if
/// it fuses or the engine refuses some of it. The generator's module and forward, the run-time module builder
/// (src/TorchSharp/DefinedModule.cs), the tests' RuntimeStack, the state-dict names and the algebra need nothing:
/// they read the record. In tests: its sample (LayerKindTests), the random stacks' generator and attribute
/// (tests/Shared/ValidStacks.cs), the properties' list of kinds and functional forms, and a PyTorch reference case.
/// </para>
/// </summary>
public enum LayerKind
{
    Conv2d,
    BatchNorm2d,
    BatchNorm1d,
    ReLU,
    LeakyReLU,
    Dropout,
    Dropout2d,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool2d,
    Flatten,
    Linear,
    LogSoftmax,
}
