using System.Globalization;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Analysis;

/// <summary>
/// A compiled network's attributes as a <see cref="NetworkDefinition"/>: the same reading, defaults included, as
/// NetworkAttributeReader.ToLayer does for C# (src/Declarations), on values decoded from the compiled assembly instead
/// of Roslyn's. One mapping for both readers of compiled attributes: the F# build check (src/FSharpCheck, from
/// metadata) and the trainer's discovery of attributed F# types at run time (src/Training, by reflection).
/// </summary>
public static class CompiledNetworkDefinition
{
    /// <summary>The definition, with the project's budget for a [Network] that sets none; null when an attribute's arguments are not the attribute's.</summary>
    public static NetworkDefinition? From(string name, CompiledAttribute network, IEnumerable<CompiledAttribute> layerAttributes, int projectBudget)
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
            declaredBudget > 0 ? declaredBudget : projectBudget,
            (RequiredLayers)NamedInt(n, "Requires", (int)RequiredLayers.All));
    }

    /// <summary>$(MnistDslParameterBudget) as the C# side reads it (ParameterBudgetSettings): digits with optional _ or , separators, positive, else the default.</summary>
    public static int ParseBudget(string? text) =>
        text is not null && int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : NetworkDefinition.DefaultParameterBudget;

    private static Layer? ToLayer(CompiledAttribute a)
    {
        if (!LayerNames.TryKind(a.Name, out var kind)) return null;
        var args = a.Positional;
        var functional = NamedBool(a, "Functional", LayerDefaults.Functional);
        return kind switch
        {
            LayerKind.Conv2d => args.Count != 2 ? null : new Conv2d(Int(args[0]), Int(args[1]), NamedInt(a, "Stride", LayerDefaults.Stride),
                NamedInt(a, "Padding", LayerDefaults.Padding), NamedBool(a, "Bias", LayerDefaults.Bias), NamedInt(a, "InChannels", LayerDefaults.InferredInput), NamedInt(a, "Groups", LayerDefaults.Groups)),
            LayerKind.BatchNorm2d => new BatchNorm2d(NamedDouble(a, "Momentum", LayerDefaults.BatchNormMomentum), NamedDouble(a, "Eps", LayerDefaults.BatchNormEps)),
            LayerKind.BatchNorm1d => new BatchNorm1d(NamedDouble(a, "Momentum", LayerDefaults.BatchNormMomentum), NamedDouble(a, "Eps", LayerDefaults.BatchNormEps)),
            LayerKind.ReLU => new ReLU(functional),
            LayerKind.Dropout => args.Count != 1 ? null : new Dropout(Double(args[0]), functional),
            LayerKind.Dropout2d => args.Count != 1 ? null : new Dropout2d(Double(args[0]), functional),
            LayerKind.MaxPool2d => args.Count != 1 ? null : new MaxPool2d(Int(args[0]), NamedInt(a, "Stride", LayerDefaults.PoolStride), functional),
            LayerKind.AvgPool2d => args.Count != 1 ? null : new AvgPool2d(Int(args[0]), NamedInt(a, "Stride", LayerDefaults.PoolStride), functional),
            LayerKind.GlobalAvgPool2d => new GlobalAvgPool2d(functional),
            LayerKind.Flatten => new Flatten(functional),
            LayerKind.Linear => args.Count != 1 ? null : new Linear(Int(args[0]), NamedBool(a, "Bias", LayerDefaults.Bias), NamedInt(a, "InFeatures", LayerDefaults.InferredInput)),
            LayerKind.LogSoftmax => new LogSoftmax(functional),
        };
    }

    private static int NamedInt(CompiledAttribute a, string name, int fallback) => a.Named.TryGetValue(name, out var v) ? Int(v) : fallback;
    private static bool NamedBool(CompiledAttribute a, string name, bool fallback) => a.Named.TryGetValue(name, out var v) && v is bool b ? b : fallback;
    private static double NamedDouble(CompiledAttribute a, string name, double fallback) => a.Named.TryGetValue(name, out var v) ? Double(v) : fallback;

    private static int Int(object? value) => value is int i ? i : 0;

    private static double Double(object? value) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        _ => double.NaN,
    };
}
