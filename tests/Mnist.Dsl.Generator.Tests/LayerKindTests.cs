using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// Every <see cref="LayerKind"/> walked through every place that does something per kind: its attribute and record
/// exist under the kind's name, the attribute reader reads it, the layer algebra computes it, and the generator
/// writes its module field or functional call, its Definition entry and its inference stage, with code that
/// compiles. The generator's switches have no discard arm (a missing kind does not compile); this catches what a
/// compiler cannot: a switch statement's default, or a kind whose case throws. A failure names the kind.
/// </summary>
public class LayerKindTests
{
    private enum Place { Map, Vector, End }

    /// <summary>A declaration of each kind and where it can go. No discard arm: a new kind needs its sample here.</summary>
    private static (string Attribute, Place Place) Sample(LayerKind kind) => kind switch
    {
        LayerKind.Conv2d => ("Conv2d(4, 3)", Place.Map),
        LayerKind.BatchNorm2d => ("BatchNorm2d", Place.Map),
        LayerKind.BatchNorm1d => ("BatchNorm1d", Place.Vector),
        LayerKind.ReLU => ("ReLU", Place.Map),
        LayerKind.LeakyReLU => ("LeakyReLU(0.2)", Place.Map),
        LayerKind.Tanh => ("Tanh", Place.Map),
        LayerKind.Dropout => ("Dropout(0.1)", Place.Map),
        LayerKind.Dropout2d => ("Dropout2d(0.1)", Place.Map),
        LayerKind.MaxPool2d => ("MaxPool2d(2)", Place.Map),
        LayerKind.AvgPool2d => ("AvgPool2d(2)", Place.Map),
        LayerKind.GlobalAvgPool2d => ("GlobalAvgPool2d", Place.Map),
        LayerKind.Flatten => ("Flatten", Place.Vector),
        LayerKind.Linear => ("Linear(12)", Place.Vector),
        LayerKind.LogSoftmax => ("LogSoftmax", Place.End),
    };

    public static IEnumerable<object[]> Kinds() => Enum.GetValues<LayerKind>().Select(k => new object[] { k });

    private static Type? AttributeOf(LayerKind kind) => typeof(NetworkAttribute).Assembly.GetType($"Mnist.Dsl.{kind}Attribute");

    private static bool CanBeFunctional(LayerKind kind) => typeof(StatelessLayerAttribute).IsAssignableFrom(AttributeOf(kind));

    private static string Functional(string attribute) =>
        attribute.EndsWith(')') ? attribute[..^1] + ", Functional = true)" : attribute + "(Functional = true)";

    private static string Declaration(string attribute, Place place) => $$"""
        using Mnist.Dsl;

        namespace Kinds;

        [Network(1, 12, 12, Requires = RequiredLayers.None)]
        [Conv2d(6, 3){{(place == Place.Map ? ", " + attribute : "")}}, GlobalAvgPool2d, Flatten{{(place == Place.Vector ? ", " + attribute : "")}}, Linear(10){{(place == Place.End ? ", " + attribute : "")}}]
        public partial class Net;
        """;

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_has_its_attribute_and_its_record_under_its_name(LayerKind kind)
    {
        Assert.True(AttributeOf(kind) is { IsAbstract: false } attribute && typeof(LayerAttribute).IsAssignableFrom(attribute), $"no Mnist.Dsl.{kind}Attribute");
        var record = typeof(Layer).Assembly.GetType($"Mnist.Dsl.Layers.{kind}");
        Assert.True(record is not null && typeof(Layer).IsAssignableFrom(record), $"no Mnist.Dsl.Layers.{kind} record");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_goes_through_the_reader_the_algebra_and_every_emitter(LayerKind kind)
    {
        var (attribute, place) = Sample(kind);
        var forms = CanBeFunctional(kind) ? new[] { attribute, Functional(attribute) } : new[] { attribute };
        foreach (var form in forms)
        {
            var result = GeneratorHarness.Run(Declaration(form, place));

            var context = $"{kind} declared as [{form}]";
            Assert.True(result.GeneratorDiagnostics.IsEmpty, context + ": " + string.Join("\n", result.GeneratorDiagnostics));
            Assert.True(result.AnalyzerDiagnostics.All(d => d.Severity < DiagnosticSeverity.Error), context + ": " + string.Join("\n", result.AnalyzerDiagnostics));
            var errors = result.CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).ToArray();
            Assert.True(errors.Length == 0, context + ": " + string.Join("\n", errors));
            Assert.True(result.Generated.Select(g => g.HintName).Order().SequenceEqual(new[] { "Kinds.Net.g.cs", "Kinds.NetInference.g.cs" }),
                context + ": generated " + string.Join(", ", result.Generated.Select(g => g.HintName)));

            var definition = (NetworkDefinition)LoadedCompilation.Load(result.Output).GetType("Kinds.Net")!.GetProperty("Definition")!.GetValue(null)!;
            Assert.True(definition.Layers.Any(l => l.Kind == kind && l.IsFunctional == (form != attribute)), context + ": not in the generated Definition");
            Assert.NotNull(NetworkAnalysis.Analyze(definition).Summary);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_kind_record_reports_its_own_kind(LayerKind kind)
    {
        var record = typeof(Layer).Assembly.GetType($"Mnist.Dsl.Layers.{kind}")!;
        var constructor = record.GetConstructors().OrderBy(c => c.GetParameters().Length).First();
        var arguments = constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : p.ParameterType == typeof(int) ? 1 : Activator.CreateInstance(p.ParameterType)).ToArray();

        Assert.Equal(kind, ((Layer)constructor.Invoke(arguments)).Kind);
    }
}
