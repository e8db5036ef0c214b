using Mnist.Dsl.Testing;
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mnist.Dsl.Generator.Model;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The generator's pipeline caches: an edit that does not change a network leaves its steps Cached or
/// Unchanged (no re-emit), an edit to one network re-runs only that network, and the pipeline carries only
/// equatable values, never Roslyn symbols or syntax (which would pin compilations in memory and defeat the
/// cache). The same checks as NetEscapades.EnumGenerators' and CommunityToolkit.Mvvm's caching tests.
/// </summary>
public class IncrementalCachingTests
{
    private static readonly string[] TrackedSteps = { TrackingNames.Networks, TrackingNames.Plans, TrackingNames.NetworksWithFlavour, TrackingNames.NetworksWithInferenceSupport, TrackingNames.NetworksWithTrainerSupport };

    private static string Network(string name, double dropout = 0.1) => $$"""
        using Mnist.Dsl;

        namespace Caching;

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout({{dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}}), MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class {{name}};
        """;

    private const string Unrelated = """
        namespace Caching;

        public class Helper
        {
            public int Answer => 42;
        }
        """;

    private static SyntaxTree Tree(string source, string path) => CSharpSyntaxTree.ParseText(source, CompilationFactory.ParseOptions, path);

    private static CSharpCompilation Compilation(params SyntaxTree[] trees) => CompilationFactory.Create(Array.Empty<string>()).AddSyntaxTrees(trees);

    /// <summary>Runs the generator on <paramref name="first"/>, then again on <paramref name="second"/>, and returns the second run.</summary>
    private static GeneratorRunResult RunTwice(CSharpCompilation first, CSharpCompilation second)
    {
        var driver = GeneratorHarness.NewDriver().RunGenerators(first);
        // Every tracked step ran and produced outputs the first time, so "all cached" below is not vacuous.
        var initial = driver.GetRunResult().Results.Single();
        Assert.Null(initial.Exception);
        foreach (var name in TrackedSteps)
            Assert.All(Outputs(initial, name), o => Assert.Equal(IncrementalStepRunReason.New, o.Reason));
        return driver.RunGenerators(second).GetRunResult().Results.Single();
    }

    private static IReadOnlyList<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult run, string step)
    {
        Assert.True(run.TrackedSteps.ContainsKey(step), $"step {step} was not tracked; tracked: {string.Join(", ", run.TrackedSteps.Keys)}");
        var outputs = run.TrackedSteps[step].SelectMany(s => s.Outputs).ToArray();
        Assert.NotEmpty(outputs);
        return outputs;
    }

    private static string NetworkName(object value) => value switch
    {
        NetworkSpec spec => spec.Type.Name,
        NetworkPlan plan => plan.Spec.Type.Name,
        ValueTuple<NetworkPlan, RuntimeFlavour> pair => pair.Item1.Spec.Type.Name,
        ValueTuple<NetworkPlan, bool> pair => pair.Item1.Spec.Type.Name,
        _ => throw new InvalidOperationException($"unexpected step output {value.GetType()}"),
    };

    private static void AssertAllCached(GeneratorRunResult run)
    {
        foreach (var name in TrackedSteps)
            Assert.All(Outputs(run, name), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged,
                $"{name} output for {NetworkName(o.Value)} was {o.Reason}"));
    }

    [Fact]
    public void Adding_an_unrelated_file_leaves_every_network_step_cached()
    {
        var network = Tree(Network("Net"), "Net.cs");

        var run = RunTwice(Compilation(network), Compilation(network, Tree(Unrelated, "Helper.cs")));

        AssertAllCached(run);
    }

    [Fact]
    public void Editing_an_unrelated_class_leaves_every_network_step_cached()
    {
        var network = Tree(Network("Net"), "Net.cs");
        var helper = Tree(Unrelated, "Helper.cs");
        var first = Compilation(network, helper);

        var run = RunTwice(first, first.ReplaceSyntaxTree(helper, Tree(Unrelated.Replace("42", "43"), "Helper.cs")));

        AssertAllCached(run);
    }

    /// <summary>
    /// Even a change in the network's own file that does not change the network (a comment) re-parses it but
    /// produces an equal model, so nothing after the parser runs again.
    /// </summary>
    [Fact]
    public void Editing_a_comment_next_to_a_network_leaves_its_model_unchanged()
    {
        var network = Tree(Network("Net"), "Net.cs");
        var first = Compilation(network);

        var run = RunTwice(first, first.ReplaceSyntaxTree(network, Tree("// a comment\n" + Network("Net"), "Net.cs")));

        AssertAllCached(run);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Editing_one_networks_attribute_reruns_only_that_network(bool sameFile)
    {
        var (first, second) = sameFile
            ? (Compilation(Tree(Network("Edited") + "\n" + Network("Untouched").Replace("using Mnist.Dsl;", "").Replace("namespace Caching;", ""), "Both.cs")),
               Compilation(Tree(Network("Edited", dropout: 0.2) + "\n" + Network("Untouched").Replace("using Mnist.Dsl;", "").Replace("namespace Caching;", ""), "Both.cs")))
            : (Compilation(Tree(Network("Edited"), "Edited.cs"), Tree(Network("Untouched"), "Untouched.cs")),
               Compilation(Tree(Network("Edited", dropout: 0.2), "Edited.cs"), Tree(Network("Untouched"), "Untouched.cs")));

        var run = RunTwice(first, second);

        foreach (var name in TrackedSteps)
        {
            var outputs = Outputs(run, name).ToLookup(o => NetworkName(o.Value), o => o.Reason);
            Assert.All(outputs["Edited"], reason => Assert.True(reason is IncrementalStepRunReason.Modified or IncrementalStepRunReason.New, $"{name}: Edited was {reason}"));
            Assert.All(outputs["Untouched"], reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: Untouched was {reason}"));
            Assert.NotEmpty(outputs["Edited"]);
            Assert.NotEmpty(outputs["Untouched"]);
        }
        Assert.Contains("Dropout(0.2", run.GeneratedSources.Single(s => s.HintName == "Caching.Edited.g.cs").SourceText.ToString());
    }

    /// <summary>
    /// The project's budget is an input of every plan (not of the parse): changing it keeps the parsed declarations,
    /// recomputes the plans and re-emits the module with the new Definition.ParameterBudget.
    /// </summary>
    [Fact]
    public void Changing_the_project_budget_keeps_the_parse_and_re_emits_the_plan_with_the_new_budget()
    {
        static GeneratorHarness.TestOptions Budget(string value) =>
            new(new Dictionary<string, string> { ["build_property.MnistDslParameterBudget"] = value }, new Dictionary<string, string>());
        var compilation = Compilation(Tree(Network("Net"), "Net.cs"));
        var driver = GeneratorHarness.NewDriver(Budget("15000")).RunGenerators(compilation);

        var run = driver.WithUpdatedAnalyzerConfigOptions(Budget("16000")).RunGenerators(compilation).GetRunResult().Results.Single();

        Assert.All(Outputs(run, TrackingNames.Networks), o => Assert.True(o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{o.Reason}"));
        Assert.All(Outputs(run, TrackingNames.Plans), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.Contains("    10, 16000, ", run.GeneratedSources.Single(s => s.HintName == "Caching.Net.g.cs").SourceText.ToString());
    }

    /// <summary>Name and Description are part of the parsed model: editing one reaches the registry, which is re-emitted with it.</summary>
    [Fact]
    public void Editing_a_networks_description_re_emits_the_registry_with_it()
    {
        static SyntaxTree Described(string description) =>
            Tree(Network("Net").Replace("[Network(1, 28, 28)]", $"[Network(1, 28, 28, Name = \"net\", Description = \"{description}\")]", StringComparison.Ordinal), "Net.cs");

        var run = RunTwice(Compilation(Described("first")), Compilation(Described("second")));

        Assert.All(Outputs(run, TrackingNames.Networks), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        Assert.All(Outputs(run, TrackingNames.RegistryEntries), o => Assert.Equal(IncrementalStepRunReason.Modified, o.Reason));
        var registry = run.GeneratedSources.Single(s => s.HintName == "Mnist.Dsl.NetworkRegistry.g.cs").SourceText.ToString();
        Assert.Contains("Name = \"net\",", registry);
        Assert.Contains("Description = \"second\",", registry);
    }

    /// <summary>Two independent parses of the same source give equal models: what the cache compares is values, not references.</summary>
    [Fact]
    public void The_same_declaration_parsed_twice_gives_equal_models()
    {
        var first = GeneratorHarness.NewDriver().RunGenerators(Compilation(Tree(Network("Net"), "Net.cs"))).GetRunResult().Results.Single();
        var second = GeneratorHarness.NewDriver().RunGenerators(Compilation(Tree(Network("Net"), "Net.cs"))).GetRunResult().Results.Single();

        var a = Assert.Single(Outputs(first, TrackingNames.Networks)).Value;
        var b = Assert.Single(Outputs(second, TrackingNames.Networks)).Value;

        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
    }

    /// <summary>The plan is a value: computed twice from one declaration, it is equal part by part (layers, names, inference plan, lowering), not the same object.</summary>
    [Fact]
    public void The_same_declaration_gives_equal_plans_part_by_part_and_another_dropout_an_unequal_one()
    {
        NetworkPlan PlanOf(string source) =>
            (NetworkPlan)Assert.Single(Outputs(GeneratorHarness.NewDriver().RunGenerators(Compilation(Tree(source, "Net.cs"))).GetRunResult().Results.Single(), TrackingNames.Plans)).Value;
        var a = PlanOf(Network("Net"));
        var b = PlanOf(Network("Net"));
        var other = PlanOf(Network("Net", dropout: 0.2));

        Assert.NotSame(a, b);
        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(a.Layers, b.Layers);
        Assert.Equal(a.StateKeys, b.StateKeys);
        Assert.NotEqual(a, other);
        Assert.NotEqual(a.Layers, other.Layers);
    }

    [Fact]
    public void The_pipeline_models_hold_no_Roslyn_symbols_syntax_or_compilations()
    {
        var sources = SampleNetworks.All().Select(s => Tree(s.Source, s.Name + ".cs")).ToArray();
        var run = GeneratorHarness.NewDriver().RunGenerators(Compilation(sources)).GetRunResult().Results.Single();

        var steps = new[]
        {
            TrackingNames.Networks, TrackingNames.ParameterBudgets, TrackingNames.Plans, TrackingNames.Flavour, TrackingNames.NetworksWithFlavour,
            TrackingNames.InferenceSupport, TrackingNames.NetworksWithInferenceSupport, TrackingNames.RegistryEntries, TrackingNames.RegistryTarget,
            TrackingNames.TrainerSupport, TrackingNames.NetworksWithTrainerSupport,
        };
        var outputs = steps.SelectMany(step => Outputs(run, step)).Select(o => o.Value).ToArray();

        Assert.Equal(SampleNetworks.All().Count, Outputs(run, TrackingNames.Networks).Count);
        Assert.All(outputs, value => Assert.Empty(RoslynObjectsIn(value)));
    }

    /// <summary>The walker below finds a Roslyn object however deep it sits, so the test above can fail.</summary>
    [Fact]
    public void The_object_graph_walker_finds_syntax_and_symbols_held_anywhere()
    {
        var compilation = Compilation(Tree(Network("Net"), "Net.cs"));
        var node = compilation.SyntaxTrees.Single().GetRoot();
        var symbol = compilation.GetTypeByMetadataName("Caching.Net")!;

        Assert.NotEmpty(RoslynObjectsIn(("name", new List<object> { 1, new[] { node } })));
        Assert.NotEmpty(RoslynObjectsIn(new KeyValuePair<string, object>("k", symbol)));
        Assert.NotEmpty(RoslynObjectsIn(new Holder(compilation)));
        Assert.NotEmpty(RoslynObjectsIn(new Holder(compilation.GetSemanticModel(compilation.SyntaxTrees.Single()))));
        Assert.Empty(RoslynObjectsIn(("name", new List<object> { 1, "two", 3.0 })));
    }

    private sealed record Holder(object Inner);

    private static readonly Type[] Forbidden =
    {
        typeof(ISymbol), typeof(SyntaxNode), typeof(SyntaxTree), typeof(Compilation), typeof(SemanticModel),
        typeof(SyntaxToken), typeof(SyntaxTrivia), typeof(SyntaxReference), typeof(Location), typeof(AttributeData),
    };

    /// <summary>Every object reachable from <paramref name="root"/> through fields and array/collection elements that is a Roslyn symbol, syntax or compilation.</summary>
    private static List<string> RoslynObjectsIn(object root)
    {
        var found = new List<string>();
        var seen = new HashSet<object>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(object Value, string Path)>();
        pending.Push((root, root.GetType().Name));
        while (pending.Count > 0)
        {
            var (value, path) = pending.Pop();
            var type = value.GetType();
            if (Forbidden.Any(f => f.IsAssignableFrom(type)))
            {
                found.Add($"{path}: {type.FullName}");
                continue;
            }
            if (type.IsPrimitive || type.IsEnum || value is string or decimal or Type or Delegate || type.IsPointer) continue;
            if (!type.IsValueType && !seen.Add(value)) continue;
            if (value is Array array)
            {
                var i = 0;
                foreach (var item in array) if (item is not null) pending.Push((item, $"{path}[{i++}]"));
                continue;
            }
            for (var t = type; t is not null && t != typeof(object); t = t.BaseType)
                foreach (var field in t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                    if (!field.FieldType.IsPointer && field.GetValue(value) is { } child)
                        pending.Push((child, $"{path}.{field.Name}"));
        }
        return found;
    }
}
