using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Lowering;
using Mnist.Dsl.Testing;
using Xunit;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// bench/stacks/random-stacks.json, the benchmark set the engine was not tuned on (bench/train-set.sh), is what the
/// property tests' generator (<see cref="ValidStacks"/>) draws with a fixed seed: MNIST-scale stacks (a 1x28x28 input,
/// 10 classes at the end, at least two convolutions), biases, orders, strides, pools and heads as it draws them. Both
/// benchmark sides read that file (the engine bench composes each stack with TrainerBlueprint.For, PyTorch builds its twin
/// in bench/pytorch/stacks.py), so they train the same layers. This test keeps the file honest: it draws the stacks again
/// and compares.
/// </summary>
public class BenchmarkStacksTests
{
    public const int Seed = 22;
    private const int Stacks = 10;

    [Fact]
    public void The_benchmark_stacks_are_the_generators_draws_with_its_fixed_seed()
    {
        var expected = Json(Draw());
        var path = Path.Combine(RepositoryRoot(), "bench", "stacks", "random-stacks.json");
        var actual = File.Exists(path) ? File.ReadAllText(path) : "(missing)";
        if (actual == expected) return;
        var drawn = Path.Combine(Path.GetTempPath(), $"random-stacks-{Guid.NewGuid():N}.json");
        File.WriteAllText(drawn, expected);
        Assert.Fail($"{path} is not what ValidStacks draws with seed {Seed}; if the generator changed on purpose, replace it: cp {drawn} {path}");
    }

    /// <summary>The first <see cref="Stacks"/> MNIST-scale draws the engine can train.</summary>
    internal static IReadOnlyList<ValidStack> Draw()
    {
        var random = new Random(Seed);
        var stacks = new List<ValidStack>();
        while (stacks.Count < Stacks)
        {
            var stack = ValidStacks.Draw(random, 1, 28, 28);
            if (stack.Classes == 10 && stack.Layers.Count(l => l is Conv2d) >= 2 && EngineLowering.Of(stack.Definition).Unsupported is null)
                stacks.Add(stack);
        }
        return stacks;
    }

    /// <summary>
    /// One stack a line: its name, its layers as the DSL writes them (for people) and as data (for the benchmarks: the
    /// layer record's constructor parameters by name, every one of them, so no reader needs the DSL's defaults).
    /// </summary>
    internal static string Json(IReadOnlyList<ValidStack> stacks)
    {
        var text = new StringBuilder();
        text.Append("{\n  \"generator\": \"tests/Shared/ValidStacks.cs, ValidStacks.Draw(new Random(").Append(Seed)
            .Append("), 1, 28, 28): the first ").Append(Stacks).Append(" draws with 10 classes, 2 or more Conv2d and an engine trainer\",\n");
        text.Append("  \"input\": [1, 28, 28],\n  \"classes\": 10,\n  \"stacks\": [\n");
        for (int i = 0; i < stacks.Count; i++)
        {
            var stack = stacks[i];
            text.Append("    {\"name\": \"random").Append(i + 1).Append("\", \"source\": ")
                .Append(Quote(string.Join(", ", stack.Layers.Select(ValidStacks.Attribute))))
                .Append(",\n     \"layers\": [").Append(string.Join(", ", stack.Layers.Select(Layer))).Append("]}")
                .Append(i + 1 < stacks.Count ? ",\n" : "\n");
        }
        return text.Append("  ]\n}\n").ToString();
    }

    private static string Layer(Layer layer)
    {
        var constructor = layer.GetType().GetConstructors().Single(c => c.GetParameters().All(p => p.ParameterType != layer.GetType()));
        var fields = constructor.GetParameters().Select(p => Quote(p.Name!) + ": " + Value(layer.GetType().GetProperty(p.Name!)!.GetValue(layer)!));
        return "{" + string.Join(", ", fields.Prepend("\"kind\": " + Quote(layer.Kind.ToString()))) + "}";
    }

    private static string Value(object value) => value switch
    {
        bool b => b ? "true" : "false",
        int n => n.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => throw new ArgumentException($"a layer parameter of type {value.GetType()}: teach BenchmarkStacksTests.Value to write it"),
    };

    private static string Quote(string text) => "\"" + text.Replace("\\", "\\\\").Replace("\"", "\\\"") + "\"";

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
            if (File.Exists(Path.Combine(folder.FullName, "Mnist.Dsl.sln"))) return folder.FullName;
        throw new InvalidOperationException($"no Mnist.Dsl.sln above {AppContext.BaseDirectory}: run the tests from the repository");
    }
}
