namespace Mnist.Dsl.Analysis;

/// <summary>
/// A compiled network's attributes as a <see cref="NetworkDefinition"/>: the reading of layer attributes, defaults
/// included, that every reader uses: the C# one (NetworkAttributeReader in src/Declarations, on Roslyn's values), the F#
/// build check (src/FSharpCheck, from metadata) and the trainer's discovery of attributed F# types at run time
/// (src/Training, by reflection).
/// </summary>
public static class CompiledNetworkDefinition
{
    /// <summary>The definition, with <paramref name="undeclaredBudget"/> for a [Network] that sets none
    /// (<see cref="ParameterBudgetMetadata"/>); null when an attribute's arguments are not the attribute's.</summary>
    public static NetworkDefinition? From(string name, CompiledAttribute network, IEnumerable<CompiledAttribute> layerAttributes,
        int undeclaredBudget)
    {
        var n = network;
        if (n.Positional.Count != 3) return null;
        var layers = new List<Layer>();
        foreach (var attribute in layerAttributes)
        {
            var layer = ToLayer(attribute);
            if (layer is null) return null;
            layers.Add(layer);
        }
        var declaredBudget = NamedInt(n, "ParameterBudget", 0);
        return new NetworkDefinition(name, Int(n.Positional[0]), Int(n.Positional[1]), Int(n.Positional[2]), layers,
            NamedInt(n, "Classes", NetworkDefinition.DefaultClasses),
            declaredBudget > 0 ? declaredBudget : undeclaredBudget,
            (RequiredLayers)NamedInt(n, "Requires", (int)RequiredLayers.All));
    }

    /// <summary>
    /// The layer a layer attribute declares, with the record's defaults (<see cref="LayerDefaults"/>) for the arguments it
    /// leaves out; null when it is not a layer attribute or has more positional arguments than its record. The one mapping
    /// from attributes to layers: the C# reader (NetworkAttributeReader, on Roslyn's values) uses it too. An attribute is
    /// its kind's record written as an attribute: named &lt;Kind&gt;Attribute, its constructor's arguments the record's
    /// first ones in order, its properties the rest by name. So a new kind is read with no code here.
    /// </summary>
    public static Layer? ToLayer(CompiledAttribute a)
    {
        if (!LayerNames.TryKind(a.Name, out var kind)) return null;
        var record = typeof(Layer).Assembly.GetType("Mnist.Dsl.Layers." + kind, throwOnError: true)!;
        var constructor = record.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        if (a.Positional.Count > parameters.Length) return null;
        var values = new object?[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            var parameter = parameters[i];
            if (i < a.Positional.Count) values[i] = Convert(a.Positional[i], parameter);
            else if (a.Named.TryGetValue(parameter.Name!, out var named)) values[i] = Convert(named, parameter);
            else if (parameter.HasDefaultValue) values[i] = parameter.DefaultValue;
            else return null;
        }
        return (Layer)constructor.Invoke(values);
    }

    /// <summary>An argument as the record's parameter takes it: a number of the wrong kind as 0 (ints) or NaN
    /// (doubles), for the algebra to report; a bool that is not one as the default.</summary>
    private static object? Convert(object? value, System.Reflection.ParameterInfo parameter) =>
        parameter.ParameterType == typeof(int) ? Int(value)
        : parameter.ParameterType == typeof(double) ? Double(value)
        : value is bool b ? b : parameter.DefaultValue;

    private static int NamedInt(CompiledAttribute a, string name, int fallback) => a.Named.TryGetValue(name, out var v) ? Int(v) : fallback;

    private static int Int(object? value) => value is int i ? i : 0;

    private static double Double(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => double.NaN,
    };
}
