using Mnist.Dsl.Testing;
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// "Compile-time numbers are the runtime truth" (design.md), as a property. For random valid layer stacks
/// (<see cref="ValidStacks"/>: every layer kind, kernels, strides, paddings, channel counts, Functional flags,
/// input sizes), the layer algebra's summary (every layer's output shape and parameter count, and the total)
/// equals what a real forward pass reports for a module built from the same stack with the real TorchSharp (libtorch 2.10)
/// (<see cref="RuntimeStack"/>). For a sample of stacks, the generated class itself is compiled, loaded and run
/// too, and agrees with both: its ParameterCount and ReceptiveField constants, its static Definition and Summary,
/// its registered modules and their parameters, and its forward pass, which (given the runtime stack's weights)
/// computes the runtime stack's output. FsCheck.Xunit is not served here, so each property runs from a [Fact];
/// a counterexample prints as the declaration of the (shrunk) stack.
/// <para>
/// Sizes: <c>MNIST_DSL_PROPERTY_STACKS</c> stacks run on the runtime (suite default 1,000, about 3 s) and
/// <c>MNIST_DSL_PROPERTY_COMPILED</c> are compiled (suite default 100, about 6 s). A longer run by hand:
/// <c>MNIST_DSL_PROPERTY_STACKS=500000 MNIST_DSL_PROPERTY_COMPILED=50000 nice -n 10 dotnet test tests/Mnist.Dsl.Properties.Tests -c Release --no-build --filter FullyQualifiedName~CompileTimeEqualsRunTimeTests --logger "console;verbosity=detailed"</c> (26 minutes on 2 shared cores; docs/parity.md records its result).
/// </para>
/// </summary>
public class CompileTimeEqualsRunTimeTests(ITestOutputHelper output)
{
    private const int Batch = 2;

    private static readonly int StackCount = PropertyRunSize.Read("MNIST_DSL_PROPERTY_STACKS", 1_000);
    private static readonly int CompiledCount = PropertyRunSize.Read("MNIST_DSL_PROPERTY_COMPILED", 100);

    /// <summary>Both cores: each case is independent (its own modules, tensors, compilation and load context).</summary>
    private static Config Cases(int count) => Config.QuickThrowOnFailure.WithMaxTest(count).WithQuietOnSuccess(true)
        .WithParallelRunConfig(FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount)));

    [Fact]
    public void Random_stacks_have_the_layer_algebras_shapes_and_parameters_on_a_real_forward_pass()
    {
        var kinds = new ConcurrentDictionary<string, int>();
        int cases = 0, layers = 0;
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            var summary = AlgebraSummary(stack);
            using var scope = NewDisposeScope();
            using var run = RuntimeStack.Run(stack.Layers, randn(InputShape(stack)));
            AssertAgree(stack, AlgebraAgainstRuntime(summary, run));
            foreach (var layer in stack.Layers) kinds.AddOrUpdate(Kind(layer), 1, (_, n) => n + 1);
            Interlocked.Add(ref layers, stack.Layers.Count);
            Interlocked.Increment(ref cases);
        });

        Check.One(Cases(StackCount), property);

        output.WriteLine($"{cases} stacks, {layers} layers in {clock.Elapsed.TotalSeconds:F1} s: " + string.Join(", ", kinds.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        Assert.Equal(StackCount, cases);
        // The stacks cover what the property is about: every layer kind, as a module and (where it has one) as a functional call.
        var missing = EveryKind.Where(k => !kinds.ContainsKey(k)).ToArray();
        Assert.True(missing.Length == 0 || StackCount < 100, $"no stack had {string.Join(", ", missing)} in {cases} cases");
    }

    [Fact]
    public void Compiled_generated_classes_agree_with_the_layer_algebra_and_the_runtime()
    {
        int cases = 0, layers = 0;
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            AssertAllThreeAgree(stack);
            Interlocked.Add(ref layers, stack.Layers.Count);
            Interlocked.Increment(ref cases);
        });

        Check.One(Cases(CompiledCount), property);

        output.WriteLine($"{cases} generated classes, {layers} layers, compiled, loaded and run in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(CompiledCount, cases);
        // Every generated class ran on the test's own TorchSharp (CompiledNetwork's load contexts share it): one copy in the process.
        Assert.Single(AppDomain.CurrentDomain.GetAssemblies(), a => a.GetName().Name == "TorchSharp");
    }

    /// <summary>Corners the random stacks reach only now and then, checked through all three on every run.</summary>
    private static readonly Dictionary<string, ValidStack> CornerStacks = new()
    {
        // A convolution that grows a 1×1 map (padding 2 around a 3×3 kernel: 1 + 4 - 3 + 1 = 3), then a Linear on it flattened.
        ["conv growing a 1x1 map"] = Corner(1, 6, 6, new GlobalAvgPool2d(), new Conv2d(4, 3, Padding: 2), new Flatten(), new Linear(10)),
        // Non-square input, a pool stride larger than its kernel, a functional pool with stride 1.
        ["non-square input, pool strides"] = Corner(2, 7, 13, new MaxPool2d(2, Stride: 3), new AvgPool2d(2, Stride: 1, Functional: true), new Flatten(), new Linear(5, Bias: false), new LogSoftmax()),
        // Nothing but functional layers: no module and no parameter at all; the output is the input's channels.
        ["only functional layers"] = Corner(3, 9, 9, new ReLU(true), new Dropout2d(0.5, true), new MaxPool2d(2, 0, true), new GlobalAvgPool2d(true), new Flatten(true), new LogSoftmax(true)),
        // A Linear straight on a [C, 1, 1] map with its in-features declared, then layers on vectors.
        ["linear on a 1x1 map"] = Corner(2, 5, 5, new Conv2d(8, 3, Stride: 2, InChannels: 2), new GlobalAvgPool2d(), new Linear(6, InFeatures: 8), new BatchNorm1d(), new Dropout(0.5, true), new ReLU(), new Linear(3)),
        // A network that ends on a [C, 1, 1] map: the generated forward flattens it to [N, C].
        ["ends on a 1x1 map"] = Corner(1, 5, 5, new Conv2d(10, 5), new BatchNorm2d(), new ReLU()),
        // Stride 3 with padding on a 4×4 map: (4 + 2 - 3) / 3 + 1 = 2; then a pool whose stride 0 means its kernel size.
        ["strided padded conv, default pool stride"] = Corner(3, 4, 4, new Conv2d(5, 3, Stride: 3, Padding: 1, Bias: false), new AvgPool2d(2), new Flatten(), new LogSoftmax()),
    };

    public static TheoryData<string> Corners => new(CornerStacks.Keys);

    [Theory]
    [MemberData(nameof(Corners))]
    public void Corner_stacks_agree_in_the_layer_algebra_the_runtime_and_the_generated_class(string corner)
    {
        AssertAllThreeAgree(CornerStacks[corner]);
    }

    private static ValidStack Corner(int channels, int height, int width, params Layer[] layers) =>
        ValidStacks.Declare(channels, height, width, layers) ?? throw new ArgumentException($"the corner {string.Join(", ", layers)} is not a valid stack");

    // ---------------------------------------------------------------- the comparisons

    private static void AssertAllThreeAgree(ValidStack stack)
    {
        var summary = AlgebraSummary(stack);
        using var scope = NewDisposeScope();
        var input = randn(InputShape(stack));
        using var run = RuntimeStack.Run(stack.Layers, input);
        using var compiled = CompiledNetwork.Compile(stack.Source, ValidStack.TypeName);
        var problems = AlgebraAgainstRuntime(summary, run);
        problems.AddRange(GeneratedAgainstBoth(stack, summary, run, compiled, input));
        AssertAgree(stack, problems, compiled.GeneratedSource);
    }

    private static NetworkSummary AlgebraSummary(ValidStack stack)
    {
        var report = NetworkAnalysis.Analyze(stack.Definition);
        Assert.True(report.IsValid, "ValidStacks made a stack the layer algebra rejects:\n" + string.Join("\n", report.Violations) + stack);
        return report.Summary!;
    }

    /// <summary>Per layer: the algebra's output shape and parameter count against libtorch's; then the totals.</summary>
    private static List<string> AlgebraAgainstRuntime(NetworkSummary summary, RuntimeStack run)
    {
        var problems = new List<string>();
        if (summary.Layers.Count != run.Layers.Count) problems.Add($"the algebra has {summary.Layers.Count} layers, the runtime ran {run.Layers.Count}");
        foreach (var (report, ran) in summary.Layers.Zip(run.Layers))
        {
            var where = $"layer {report.Index + 1} ({ValidStacks.Attribute(report.Layer)})";
            if (!Batched(report.Output).SequenceEqual(ran.OutputShape))
                problems.Add($"{where}: the algebra says output {report.Output}, the runtime gave [{string.Join(", ", ran.OutputShape)}]");
            if (report.Parameters != ran.Parameters)
                problems.Add($"{where}: the algebra says {report.Parameters} parameters, the runtime module has {ran.Parameters} ({Shapes(ran.ParameterShapes)})");
        }
        if (summary.TotalParameters != run.TotalParameters)
            problems.Add($"total: the algebra says {summary.TotalParameters} parameters, the runtime modules' parameters() hold {run.TotalParameters}");
        return problems;
    }

    /// <summary>
    /// The generated class against the algebra (its constants, Definition, Summary) and against the runtime stack
    /// (its modules' parameter shapes, its forward pass on the same input with the same weights).
    /// </summary>
    private static IEnumerable<string> GeneratedAgainstBoth(ValidStack stack, NetworkSummary summary, RuntimeStack run, CompiledNetwork compiled, Tensor input)
    {
        var parameterCount = compiled.Constant<long>("ParameterCount");
        if (parameterCount != summary.TotalParameters) yield return $"generated ParameterCount = {parameterCount}, the algebra's total is {summary.TotalParameters}";
        var receptiveField = compiled.Constant<int>("ReceptiveField");
        if (receptiveField != summary.ReceptiveField) yield return $"generated ReceptiveField = {receptiveField}, the algebra's is {summary.ReceptiveField}";

        var definition = compiled.Definition;
        if (definition.Input != stack.Definition.Input || !definition.Layers.SequenceEqual(stack.Layers))
            yield return $"generated Definition is {definition.Input} -> {string.Join(", ", definition.Layers)}; the declaration is {stack.Definition.Input} -> {string.Join(", ", stack.Layers)}";
        var generatedSummary = compiled.Summary;
        foreach (var (expected, actual) in summary.Layers.Zip(generatedSummary.Layers))
            if (expected != actual) yield return $"generated Summary layer {expected.Index + 1} is {actual}; the algebra's is {expected}";
        if (generatedSummary.Layers.Count != summary.Layers.Count) yield return $"generated Summary has {generatedSummary.Layers.Count} layers, the algebra {summary.Layers.Count}";
        if (generatedSummary.ToTable() != summary.ToTable()) yield return $"generated Summary table:\n{generatedSummary.ToTable()}\nthe algebra's:\n{summary.ToTable()}";

        using var module = compiled.CreateModule();
        module.eval();
        var children = module.named_children().ToArray();
        if (children.Length != summary.Rows.Count) yield return $"the generated module registers {children.Length} modules, the summary has {summary.Rows.Count} rows";
        foreach (var ((name, child), row) in children.Zip(summary.Rows))
        {
            // The module's class, as torchsummary names rows: TorchSharp 0.107's BatchNorm2d passes nameof(BatchNorm1d)
            // to its base constructor, so GetName() says "BatchNorm1d" for it (found by this property).
            if (child.GetType().Name != row.Layer.ModuleName) yield return $"generated module '{name}' is a {child.GetType().Name}, row {row.RowName} a {row.Layer.ModuleName}";
            if (Settings(child) != Settings(run.Layers[row.Index].Module!))
                yield return $"generated module '{name}' is set to {Settings(child)}, the runtime's {row.RowName} to {Settings(run.Layers[row.Index].Module!)}";
            var shapes = child.parameters().Select(p => p.shape).ToArray();
            var runtimeShapes = run.Layers[row.Index].ParameterShapes;
            if (!shapes.Select(ShapeText).SequenceEqual(runtimeShapes.Select(ShapeText)))
                yield return $"generated module '{name}' has parameters {Shapes(shapes)}, the runtime's {row.RowName} {Shapes(runtimeShapes)}";
        }
        var generatedTotal = module.parameters().Sum(p => p.numel());
        if (generatedTotal != summary.TotalParameters) yield return $"the generated module's parameters() hold {generatedTotal}, the algebra's total is {summary.TotalParameters}";
        if (generatedTotal != run.TotalParameters) yield break; // the weights cannot be shared: the forward pass would not be comparable

        // The same weights in both (in registration order, which is layer order), then the same input through both.
        var generatedParameters = module.parameters().ToArray();
        var runtimeParameters = run.Parameters().ToArray();
        if (generatedParameters.Length != runtimeParameters.Length)
        {
            yield return $"the generated module has {generatedParameters.Length} parameter tensors, the runtime stack {runtimeParameters.Length}";
            yield break;
        }
        using (no_grad())
            foreach (var (target, source) in generatedParameters.Zip(runtimeParameters)) target.copy_(source);
        Tensor result;
        using (no_grad()) result = module.forward(input);
        var expectedShape = NetworkOutput(summary.Output);
        if (!expectedShape.SequenceEqual(result.shape))
        {
            yield return $"the generated forward returns [{string.Join(", ", result.shape)}], the algebra's network output is [{string.Join(", ", expectedShape)}]";
            yield break;
        }
        var runtimeOutput = run.Output.dim() == 4 ? run.Output.flatten(1) : run.Output;
        var (actualValues, expectedValues) = (result.data<float>().ToArray(), runtimeOutput.data<float>().ToArray());
        var worst = actualValues.Zip(expectedValues).Select((p, i) => (i, error: Math.Abs(p.First - p.Second) / (1 + Math.Abs(p.Second)))).MaxBy(e => e.error);
        if (actualValues.Length != expectedValues.Length || worst.error > 1e-5)
            yield return $"the generated forward computes {actualValues.ElementAtOrDefault(worst.i)} at output {worst.i}, the runtime stack with the same weights {expectedValues.ElementAtOrDefault(worst.i)}";
    }

    private static void AssertAgree(ValidStack stack, List<string> problems, string? generated = null)
    {
        if (problems.Count == 0) return;
        throw new Xunit.Sdk.XunitException($"compile time and run time disagree on\n{stack.Source}\n  " + string.Join("\n  ", problems) +
            (generated is null ? "" : "\ngenerated code:\n" + generated));
    }

    // ---------------------------------------------------------------- helpers

    private static long[] InputShape(ValidStack stack) => new long[] { Batch, stack.Channels, stack.Height, stack.Width };

    /// <summary>A shape the algebra computed, as the tensor it describes for a batch.</summary>
    private static long[] Batched(Shape shape) =>
        shape.IsFlat ? new long[] { Batch, shape.Channels } : new long[] { Batch, shape.Channels, shape.Height, shape.Width };

    /// <summary>A network's output: a final [C, 1, 1] map comes out as [N, C], the classes.</summary>
    private static long[] NetworkOutput(Shape shape) => shape.IsPointMap ? new long[] { Batch, shape.Channels } : Batched(shape);

    private static string ShapeText(long[] shape) => "[" + string.Join(", ", shape) + "]";

    private static string Shapes(IEnumerable<long[]> shapes) => shapes.Any() ? string.Join(" ", shapes.Select(ShapeText)) : "none";

    /// <summary>What an evaluation-mode forward pass cannot show: BatchNorm's momentum (eps it does show) and dropout's p.</summary>
    private static string Settings(nn.Module module) => module switch
    {
        TorchSharp.Modules.NormBase b => $"momentum {b.momentum}, eps {b.eps}",
        TorchSharp.Modules.Dropout d => $"p {d.p}",
        TorchSharp.Modules.Dropout2d d => $"p {d.p}",
        _ => "",
    };

    private static string Kind(Layer layer) => layer.GetType().Name + (layer.IsFunctional ? " (functional)" : "");

    private static readonly string[] EveryKind =
        new Layer[]
        {
            new Conv2d(1, 1), new BatchNorm2d(), new BatchNorm1d(), new ReLU(), new Dropout(), new Dropout2d(), new MaxPool2d(), new AvgPool2d(),
            new GlobalAvgPool2d(), new Flatten(), new Linear(1), new LogSoftmax(), new ReLU(true), new Dropout(0.5, true), new Dropout2d(0.5, true),
            new MaxPool2d(2, 0, true), new AvgPool2d(2, 0, true), new GlobalAvgPool2d(true), new Flatten(true), new LogSoftmax(true),
            new LeakyReLU(), new LeakyReLU(0.01, true), new Tanh(), new Tanh(true),
        }.Select(Kind).ToArray();
}
