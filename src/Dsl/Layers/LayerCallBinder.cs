using System.Reflection;

namespace Mnist.Dsl.Layers;

/// <summary>
/// Makes a <see cref="LayerCall"/> live: finds the one public method of a type that takes its arguments (by position,
/// then by name, every parameter left out optional) and calls it. The run-time module builder calls TorchSharp's
/// factories this way and the engine's blueprint its methods, from the same descriptions the generator writes as text,
/// so what a layer is cannot differ between a generated network and one declared at run time.
/// </summary>
public sealed class LayerCallBinder
{
    private readonly MethodInfo _method;
    private readonly object?[] _template;
    private readonly int _inputSlot, _trainingSlot;

    /// <summary>Some optional parameter took its default: the call's arguments do not cover every parameter.</summary>
    private readonly bool _defaulted;

    private LayerCallBinder(MethodInfo method, object?[] template, int inputSlot, int trainingSlot, bool defaulted)
    {
        _method = method;
        _template = template;
        _inputSlot = inputSlot;
        _trainingSlot = trainingSlot;
        _defaulted = defaulted;
    }

    /// <summary>
    /// The method of <paramref name="host"/> (static ones, or instance ones when <paramref name="instance"/>) named as
    /// <paramref name="call"/>'s function that takes its arguments; an input argument binds to a parameter of
    /// <paramref name="inputType"/>; of several, the one that needs no default, as C# picks. Throws when no method or
    /// more than one takes them: a description and the API it names disagree, which the tests of every layer kind catch.
    /// </summary>
    public static LayerCallBinder Bind(Type host, bool instance, LayerCall call, Type? inputType = null)
    {
        if (host is null) throw new ArgumentNullException(nameof(host));
        if (call is null) throw new ArgumentNullException(nameof(call));
        var flags = BindingFlags.Public | (instance ? BindingFlags.Instance : BindingFlags.Static);
        var bound = host.GetMethods(flags)
            .Where(m => m.Name == call.Name)
            .Select(m => TryBind(m, call, inputType))
            .Where(b => b is not null)
            .ToArray();
        // C#'s tie-break, so that the method called is the one the generated text calls: a method that takes every
        // argument with no default filled in beats those that need defaults (nn.Tanh() over nn.Tanh(bool inplace = false)).
        var exact = bound.Where(b => !b!._defaulted).ToArray();
        if (bound.Length > 1 && exact.Length == 1) bound = exact;
        if (bound.Length != 1)
            throw new InvalidOperationException(
                $"{host.FullName} has {bound.Length} public methods that take {call}; a layer kind's description must name exactly one");
        return bound[0]!;
    }

    /// <summary>Calls the method on <paramref name="target"/> (null for a static one) with <paramref name="input"/> and
    /// <paramref name="training"/> where the call has them.</summary>
    public object? Invoke(object? target, object? input = null, bool training = false)
    {
        var arguments = (object?[])_template.Clone();
        if (_inputSlot >= 0) arguments[_inputSlot] = input;
        if (_trainingSlot >= 0) arguments[_trainingSlot] = training;
        try
        {
            return _method.Invoke(target, arguments);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            throw;
        }
    }

    private static LayerCallBinder? TryBind(MethodInfo method, LayerCall call, Type? inputType)
    {
        var parameters = method.GetParameters();
        var values = new object?[parameters.Length];
        var set = new bool[parameters.Length];
        int inputSlot = -1, trainingSlot = -1, position = 0;
        foreach (var argument in call.Arguments)
        {
            var slot = argument.Name is null ? position++ : Array.FindIndex(parameters, p => p.Name == argument.Name);
            if (slot < 0 || slot >= parameters.Length || set[slot]) return null;
            var type = parameters[slot].ParameterType;
            if (!TryConvert(argument, type, inputType, out var value)) return null;
            values[slot] = value;
            set[slot] = true;
            if (argument.Kind == CallArgumentKind.Input) inputSlot = slot;
            if (argument.Kind == CallArgumentKind.Training) trainingSlot = slot;
        }
        var defaulted = false;
        for (var i = 0; i < parameters.Length; i++)
        {
            if (set[i]) continue;
            if (!parameters[i].IsOptional) return null;
            values[i] = parameters[i].DefaultValue is DBNull ? Type.Missing : parameters[i].DefaultValue;
            defaulted = true;
        }
        return new LayerCallBinder(method, values, inputSlot, trainingSlot, defaulted);
    }

    private static bool TryConvert(CallArgument argument, Type type, Type? inputType, out object? value)
    {
        var target = Nullable.GetUnderlyingType(type) ?? type;
        value = null;
        switch (argument.Kind)
        {
            case CallArgumentKind.Int when target == typeof(long):
                value = argument.Int;
                return true;
            case CallArgumentKind.Int when target == typeof(int):
                value = checked((int)argument.Int);
                return true;
            case CallArgumentKind.Double when target == typeof(double):
                value = argument.Double;
                return true;
            case CallArgumentKind.Bool or CallArgumentKind.Training when target == typeof(bool):
                value = argument.Bool;
                return true;
            case CallArgumentKind.String when target == typeof(string):
                value = argument.Text;
                return true;
            case CallArgumentKind.Input:
                return inputType is not null && type.IsAssignableFrom(inputType);
            default:
                return false;
        }
    }
}
