using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mnist.Dsl;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Lowering;

/// <summary>
/// The benchmark set the engine was not tuned on: bench/stacks/random-stacks.json, stacks the property tests' generator
/// drew once with a fixed seed (tests/Mnist.Dsl.Properties.Tests/BenchmarkStacksTests.cs keeps the file equal to the
/// draw). A layer is its record's constructor arguments by name, so this reader needs no table of layer kinds;
/// bench/pytorch/stacks.py reads the same file for the PyTorch twin.
/// </summary>
internal static class BenchmarkStacks
{
    public const string File = "bench/stacks/random-stacks.json";

    /// <summary>The stack called <paramref name="name"/>, or null when the file has none of that name.</summary>
    public static NetworkDefinition? Find(string name)
    {
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(Locate()));
        var root = document.RootElement;
        var input = root.GetProperty("input").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var stack = root.GetProperty("stacks").EnumerateArray().FirstOrDefault(s => s.GetProperty("name").GetString() == name);
        if (stack.ValueKind == JsonValueKind.Undefined) return null;
        var layers = stack.GetProperty("layers").EnumerateArray().Select(Layer).ToArray();
        return new NetworkDefinition(name, input[0], input[1], input[2], layers, root.GetProperty("classes").GetInt32(), int.MaxValue, RequiredLayers.None);
    }

    /// <summary>The units the lowering gives, as the trainer's steps name them: "Conv2d+ReLU+BatchNorm2d", "Conv2d", ...</summary>
    public static string Units(NetworkDefinition network)
    {
        var lowering = EngineLowering.Of(network);
        return string.Join(",", lowering.Steps.Select(s => s.Unit));
    }

    private static Layer Layer(JsonElement element)
    {
        var kind = element.GetProperty("kind").GetString()!;
        var type = typeof(Layer).Assembly.GetType("Mnist.Dsl.Layers." + kind)
            ?? throw new InvalidDataException($"{File}: no layer kind {kind} in Mnist.Dsl.Layers");
        var constructor = type.GetConstructors().Single(c => c.GetParameters().All(p => p.ParameterType != type));
        var arguments = constructor.GetParameters().Select(p =>
        {
            if (!element.TryGetProperty(p.Name!, out var value))
                throw new InvalidDataException($"{File}: a {kind} without {p.Name}; every constructor argument is written");
            return p.ParameterType == typeof(int) ? value.GetInt32()
                : p.ParameterType == typeof(double) ? value.GetDouble()
                : p.ParameterType == typeof(bool) ? (object)value.GetBoolean()
                : throw new InvalidDataException($"{File}: {kind}.{p.Name} is a {p.ParameterType.Name}; teach BenchmarkStacks to read it");
        }).ToArray();
        return (Layer)constructor.Invoke(arguments);
    }

    /// <summary>The file, from the current folder or one above it (the scripts run from the repository's root).</summary>
    private static string Locate()
    {
        for (var folder = new DirectoryInfo(Environment.CurrentDirectory); folder is not null; folder = folder.Parent)
        {
            var path = Path.Combine(folder.FullName, File);
            if (System.IO.File.Exists(path)) return path;
        }
        throw new FileNotFoundException($"{File} not found from {Environment.CurrentDirectory}: run from the repository");
    }
}
