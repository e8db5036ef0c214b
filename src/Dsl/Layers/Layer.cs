namespace Mnist.Dsl.Layers;

// The layers as plain immutable values: what the attributes say, without Roslyn. The generator parses
// attributes into these, F# code builds lists of them directly, and the analysis in Mnist.Dsl.Analysis
// computes shapes, sizes and rule results from them.

/// <summary>
/// One layer of a network, in declaration order. Each kind is a record in its own file (Layers/Kinds), and that file is
/// the kind's descriptor: its algebra (<see cref="Step"/>), its names and state in the module (<see cref="MemberStem"/>,
/// <see cref="StateEntries"/>), its TorchSharp module and functional call and its engine blueprint call as
/// <see cref="LayerCall"/> descriptions that the generator renders as text and the run time calls live. The members
/// are abstract: a new kind does not compile until it says what it is in each of them.
/// </summary>
public abstract record Layer
{
    private protected static readonly string[] NoState = new string[0];
    private protected static readonly string[] WeightAndBias = { "weight", "bias" };
    private protected static readonly string[] WeightOnly = { "weight" };

    private protected Layer() { }

    /// <summary>Which layer this is, for exhaustive switches (see <see cref="LayerKind"/>).</summary>
    public abstract LayerKind Kind { get; }

    /// <summary>How the inference plan and the ONNX graph carry the layer out (see <see cref="LayerForm"/>).</summary>
    public abstract LayerForm Form { get; }

    /// <summary>The torch.nn module that implements the layer (the name torchsummary prints): the kind's name unless a
    /// record says otherwise.</summary>
    public virtual string ModuleName => Kind.ToString();

    /// <summary>Applied as a torch.nn.functional call: no module, no state, no summary row.</summary>
    public virtual bool IsFunctional => false;

    /// <summary>
    /// The stem of the layer's member name in the module: conv, bn, fc, ... (numbered per stem: conv1, conv2). Both
    /// BatchNorms share "bn" and both Dropouts "dropout", as PyTorch notebooks name them.
    /// </summary>
    public abstract string MemberStem { get; }

    /// <summary>The names of the layer's parameters and buffers in its module, in PyTorch's order (none for a stateless layer).</summary>
    public virtual IReadOnlyList<string> StateEntries => NoState;

    /// <summary>The shape torch.nn gives state entry <paramref name="entry"/> of the layer, whose input and output are
    /// as given: a vector of the output's channels unless the kind says otherwise.</summary>
    public virtual long[] StateShape(string entry, Shape input, Shape output) =>
        entry == "num_batches_tracked" ? new long[0] : new long[] { output.Channels };

    /// <summary>
    /// The layer algebra of this kind: the output shape, parameters, kernel and stride (for the receptive field) and
    /// multiply-adds for <paramref name="check"/>'s input, or null after reporting the broken rule through it.
    /// </summary>
    internal abstract LayerStep? Step(LayerChecks check);

    /// <summary>The TorchSharp module of the layer on <paramref name="input"/> (sizes the algebra inferred), as a call of torch.nn.</summary>
    public abstract LayerCall TorchModule(Shape input);

    /// <summary>The layer as a torch.nn.functional call on the input; null for a kind with state, which is never functional.</summary>
    public abstract LayerCall? TorchFunctional { get; }

    /// <summary>
    /// The call of the engine's TrainerBlueprint that adds this layer as a unit of its own (the lowering fuses some
    /// layers into other calls); <paramref name="member"/> is its state-dict prefix, null for a functional layer.
    /// </summary>
    public abstract LayerCall EngineCall(LayerReport report, string? member);

    /// <summary>How documentation names the layer on <paramref name="input"/>: kind, sizes, what is not the default
    /// ("Conv2d 1 → 8, 3×3, no bias").</summary>
    public abstract string Describe(Shape input);

    /// <summary>The record's construction with every argument, as a call of its constructor (what a generated Definition writes).</summary>
    public LayerCall Construction()
    {
        var type = GetType();
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => Argument(type.GetProperty(p.Name!)!.GetValue(this))).ToArray();
        return new LayerCall(type.Name, arguments);
    }

    /// <summary>What a layer prints as (Conv2d { Kind = Conv2d, ModuleName = Conv2d, IsFunctional = False, OutChannels
    /// = 8, ... }): its identity and arguments, not its descriptions.</summary>
    protected virtual bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Kind = ").Append(Kind).Append(", ModuleName = ").Append(ModuleName).Append(", IsFunctional = ").Append(IsFunctional);
        return true;
    }

    private static CallArgument Argument(object? value) => value switch
    {
        int i => CallArgument.Of(i),
        double d => CallArgument.Of(d),
        bool b => CallArgument.Of(b),
        _ => throw new InvalidOperationException($"a layer record's argument of type {value?.GetType().Name ?? "null"} has no literal form"),
    };
}
