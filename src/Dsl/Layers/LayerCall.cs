namespace Mnist.Dsl.Layers;

/// <summary>
/// A call described as data: a function's name and its arguments in order, some of them named. A layer kind describes
/// its TorchSharp module (<c>nn.Conv2d(1, 8, 3, 1, 0, bias: false)</c>), its torch.nn.functional call and its engine
/// blueprint call this way once; the generator renders the description as C# text, and the run time makes the same
/// call live through <see cref="LayerCallBinder"/>. So a kind's module is written in one place, not once per artefact.
/// Equal by value, arguments compared in order.
/// </summary>
public sealed class LayerCall : IEquatable<LayerCall>
{
    public LayerCall(string function, params CallArgument[] arguments)
    {
        Function = function;
        Arguments = arguments;
    }

    /// <summary>The function: <c>nn.Conv2d</c>, <c>nn.functional.relu</c>, a blueprint method's name, or a tensor
    /// method's (see <see cref="OnInput"/>).</summary>
    public string Function { get; }

    /// <summary>A method of the input tensor (<c>x.flatten(1)</c>) rather than a static function.</summary>
    public bool OnInput { get; private set; }

    public IReadOnlyList<CallArgument> Arguments { get; }

    /// <summary>The function's name without its path: <c>Conv2d</c> of <c>nn.Conv2d</c>.</summary>
    public string Name => Function.Substring(Function.LastIndexOf('.') + 1);

    /// <summary>A method called on the input tensor: <c>x.flatten(1)</c>.</summary>
    public static LayerCall OnInputTensor(string method, params CallArgument[] arguments) => new(method, arguments) { OnInput = true };

    public bool Equals(LayerCall? other) =>
        other is not null && Function == other.Function && OnInput == other.OnInput && Arguments.SequenceEqual(other.Arguments);

    public override bool Equals(object? obj) => Equals(obj as LayerCall);

    public override int GetHashCode() =>
        Arguments.Aggregate(Function.GetHashCode() * 31 + (OnInput ? 1 : 0), (hash, a) => hash * 31 + a.GetHashCode());

    /// <summary>For messages and tests: <c>nn.Conv2d(1, 8, 3, 1, 0, bias: False)</c> (not C#: the generator renders that).</summary>
    public override string ToString() => (OnInput ? "x." : "") + Function + "(" + string.Join(", ", Arguments) + ")";
}

/// <summary>What an argument is: a value, or the tensor the layer is applied to, or the module's training flag.</summary>
public enum CallArgumentKind
{
    Int,
    Double,
    Bool,
    String,

    /// <summary>The tensor the layer is applied to (<c>x</c>).</summary>
    Input,

    /// <summary>Whether the module is training (<c>training</c>).</summary>
    Training,
}

/// <summary>One argument of a <see cref="LayerCall"/>: its kind, its value, and its parameter's name when it is passed by name.</summary>
public sealed record CallArgument(CallArgumentKind Kind, long Int = 0, double Double = 0, bool Bool = false, string? Text = null, string? Name = null)
{
    public static CallArgument Of(long value, string? name = null) => new(CallArgumentKind.Int, Int: value, Name: name);

    public static CallArgument Of(double value, string? name = null) => new(CallArgumentKind.Double, Double: value, Name: name);

    public static CallArgument Of(bool value, string? name = null) => new(CallArgumentKind.Bool, Bool: value, Name: name);

    public static CallArgument Of(string value, string? name = null) => new(CallArgumentKind.String, Text: value, Name: name);

    public static CallArgument Input { get; } = new(CallArgumentKind.Input);

    public static CallArgument Training { get; } = new(CallArgumentKind.Training);

    public override string ToString() => (Name is null ? "" : Name + ": ") + Kind switch
    {
        CallArgumentKind.Int => Int.ToString(CultureInfo.InvariantCulture),
        CallArgumentKind.Double => Double.ToString("R", CultureInfo.InvariantCulture),
        CallArgumentKind.Bool => Bool.ToString(),
        CallArgumentKind.String => "\"" + Text + "\"",
        CallArgumentKind.Input => "x",
        CallArgumentKind.Training => "training",
    };
}
