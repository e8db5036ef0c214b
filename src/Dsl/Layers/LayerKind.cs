namespace Mnist.Dsl.Layers;

/// <summary>
/// The layer kinds, one name per <see cref="Layer"/> record. What a kind is in every artefact is said by its record
/// (abstract members: a record that leaves one out does not compile). The lowerings that still do something per layer
/// outside the record (the inference plan, the ONNX graph) switch on its <see cref="Layer.Form"/>, a closed set of
/// forms, with no discard arm; the tests walk every kind through them.
/// <para>
/// A new kind touches, in src: its name here; its record, which is its descriptor (Layers/Kinds/&lt;Kind&gt;.cs: its
/// algebra, member stem, state entries and shapes, TorchSharp module and functional call, engine blueprint call,
/// form, description; its own defaults as constants there), whose abstract members do not let it compile until each is
/// said; its attribute beside it (Layers/Kinds/&lt;Kind&gt;Attribute.cs), named after it with Attribute, whose
/// constructor takes the record's first arguments and whose properties the rest by name (then every reader reads it
/// with no code: C#, the F# build check and the run-time discovery share Analysis/CompiledNetworkDefinition.ToLayer);
/// for the engine, its unit with the blueprint method its engine call names, a part of the partial TrainerBlueprint in
/// the unit's file (src/Engine/Composition/&lt;Kind&gt;Unit.cs), and its kernels (src/Engine/Layers). A function of each
/// value on its own derives from <see cref="ElementwiseLayer"/> and names its in-place inference kernel
/// (src/Dsl/Inference/Kernels, a file of its own) and its ONNX node on the record: the inference plan, the generated
/// call and the ONNX graph need nothing. Any other kind picks an existing <see cref="LayerForm"/> or adds one, and
/// every switch over forms (InferenceLowering, StageCallWriter's stages, OnnxLowering) then says what it is;
/// Lowering/EngineLowering.cs only if it fuses or the engine refuses some of it. The generator's module and forward,
/// the run-time module builder (src/TorchSharp/DefinedModule.cs), the tests' RuntimeStack, the state-dict names and the
/// algebra need nothing: they read the record. In tests: its sample (LayerKindTests), the random stacks' generator and
/// attribute (tests/Shared/ValidStacks.cs), the properties' list of kinds and functional forms, and a PyTorch reference
/// case.
/// </para>
/// </summary>
public enum LayerKind
{
    Conv2d,
    BatchNorm2d,
    BatchNorm1d,
    ReLU,
    LeakyReLU,
    Tanh,
    Dropout,
    Dropout2d,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool2d,
    Flatten,
    Linear,
    LogSoftmax,
}
