using Mnist.Dsl.Testing;
using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.CodeAnalysis;
using Microsoft.FSharp.Core;
using Mnist.Dsl.Analysis;
using Xunit;

namespace Mnist.Dsl.Analyzers.Tests;

/// <summary>
/// Property tests with FsCheck: thousands of random and malformed declarations never crash the generator or
/// the analyzer (no AD0001, CS8784, CS8785) and never make the generator emit code that does not compile; and
/// for random valid layer stacks, the generated code compiles cleanly and its ParameterCount is the layer
/// algebra's. FsCheck.Xunit is not served here, so each property is checked from a [Fact].
/// </summary>
public class FuzzTests(Xunit.Abstractions.ITestOutputHelper output)
{
    /// <summary>Crash diagnostics: an analyzer that threw, a generator that could not load or threw.</summary>
    private static readonly string[] CrashIds = { "AD0001", "CS8784", "CS8785" };

    /// <summary>
    /// The lean references plus what the inference classes need (Parallel.For lives outside CoreLib, and the spans of
    /// INetworkInference, which netstandard2.0 Mnist.Dsl takes from System.Memory, resolve through its facade); without
    /// them the generator leaves the inference classes out, which keeps the thousand-case properties fast. Compiling
    /// them costs ~0.1 s a network.
    /// </summary>
    private static readonly Lazy<MetadataReference[]> ReferencesForInference = new(() =>
        CompilationFactory.CreateLean("").References
            .Concat(CompilationFactory.Create("").References
                .Where(r => System.IO.Path.GetFileName(r.Display) is "System.Threading.Tasks.Parallel.dll" or "System.Memory.dll")
                .DistinctBy(r => System.IO.Path.GetFileName(r.Display)))
            .ToArray());

    private static GeneratorHarness.Result RunWithInference(string source)
    {
        Assert.Equal(7, ReferencesForInference.Value.Length);
        return GeneratorHarness.Run(CompilationFactory.Create(source).WithReferences(ReferencesForInference.Value));
    }

    private static GeneratorHarness.Result Run(params string[] sources) => GeneratorHarness.Run(CompilationFactory.CreateLean(sources));

    /// <summary>A generated source text, shown as itself when FsCheck reports a counterexample.</summary>
    public sealed record Declaration(string Source)
    {
        public override string ToString() => "\n" + Source + "\n";
    }

    // ---------------------------------------------------------------- malformed declarations
    // Static fields initialise in text order: every generator below is declared after the ones it uses.

    private static readonly Gen<string> Ints = Gen.OneOf(
        Gen.Choose(-3, 40).Select(i => i.ToString(CultureInfo.InvariantCulture)),
        Gen.Elements("0", "-1", "28", "int.MaxValue", "int.MinValue", "2147483647", "-2147483648", "1_000_000", "65536", "46341", "1 << 30", "unchecked(int.MaxValue + 1)"));

    private static readonly Gen<string> Doubles = Gen.Elements(
        "0.1", "0.5", "1.0", "1.5", "-0.1", "0", "1", "0.0 / 0", "1.0 / 0", "-1.0 / 0", "double.NaN", "double.Epsilon", "1e308", "-1e308", "1e-300", "0.99999999999999989", "1e-5");

    /// <summary>Values of the wrong type or no value at all: the compiler rejects them, the generator must not care.</summary>
    private static readonly Gen<string> WrongTypes = Gen.Elements(
        "\"3\"", "true", "false", "null", "'c'", "typeof(int)", "RequiredLayers.All", "foo", "3L", "3.0f", "3m", "(byte)3", "new int[0]", "nameof(Mnist)", "default", "(3, 3)", "x => x");

    private static readonly Gen<string> Values = Gen.Frequency((6, Ints), (3, Doubles), (2, WrongTypes));

    private static readonly Gen<string> RequiresValues = Gen.Elements(
        "RequiredLayers.None", "RequiredLayers.All", "RequiredLayers.BatchNorm | RequiredLayers.Dropout", "(RequiredLayers)1024", "(RequiredLayers)(-1)", "0");

    private static readonly Gen<string> NamedArguments =
        from name in Gen.Elements("Stride", "Padding", "Bias", "InChannels", "InFeatures", "Momentum", "Eps", "Functional", "P", "KernelSize",
            "OutChannels", "Bogus", "Classes", "ParameterBudget", "Requires", "stride")
        from value in Gen.Frequency((4, Values), (2, Gen.Elements("true", "false")), (1, RequiresValues))
        from style in Gen.Frequency((5, Gen.Constant(" = ")), (1, Gen.Constant(": ")))
        select name + style + value;

    private static readonly Gen<string> Arguments =
        from positional in Gen.Choose(0, 4).SelectMany(n => Gen.ListOf(Values, n))
        from named in Gen.Choose(0, 3).SelectMany(n => Gen.ListOf(NamedArguments, n))
        from shuffled in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from order in Gen.Shuffle(positional.Concat(named).ToArray())
        let all = shuffled ? order : positional.Concat(named).ToArray()
        from parentheses in Gen.Frequency((1, Gen.Constant(false)), (5, Gen.Constant(true)))
        select parentheses || all.Length > 0 ? "(" + string.Join(", ", all) + ")" : "";

    private static readonly Gen<string> LayerNames = Gen.Frequency(
        (20, Gen.Elements("Conv2d", "BatchNorm2d", "BatchNorm1d", "ReLU", "LeakyReLU", "Tanh", "Dropout", "Dropout2d", "MaxPool2d", "AvgPool2d", "GlobalAvgPool2d", "Flatten", "Linear", "LogSoftmax")),
        (1, Gen.Elements("Conv3d", "Network", "Layer", "LayerAttribute", "StatelessLayerAttribute", "Obsolete", "Conv2dAttribute", "Mnist.Dsl.Linear", "global::Mnist.Dsl.ReLU", "System.Serializable")));

    private static readonly Gen<string> SmallPositive = Gen.Choose(1, 16).Select(i => i.ToString(CultureInfo.InvariantCulture));

    /// <summary>Arguments a user would plausibly write for that layer, so that many declarations get as far as the generator.</summary>
    private static Gen<string> PlausibleArguments(string layer) => layer switch
    {
        "Conv2d" => from o in SmallPositive from k in Gen.Elements("1", "3", "3", "5") from extra in Gen.Elements("", ", Padding = 1", ", Bias = false", ", Stride = 2")
                    select $"({o}, {k}{extra})",
        "Linear" => from n in Gen.Elements("10", "10", "20", "32") from extra in Gen.Elements("", ", Bias = false") select $"({n}{extra})",
        "Dropout" or "Dropout2d" => Gen.Elements("(0.1)", "(0.25)", "", "(0.1, Functional = true)"),
        "MaxPool2d" or "AvgPool2d" => Gen.Elements("(2)", "(2)", "(3)", "", "(2, Stride = 1)", "(2, Functional = true)"),
        "BatchNorm2d" or "BatchNorm1d" => Gen.Elements("", "", "(Momentum = 0.2)", "(Eps = 1e-3)"),
        "LeakyReLU" => Gen.Elements("", "(0.2)", "(-0.5)", "(0.1, Functional = true)"),
        _ => Gen.Elements("", "", "(Functional = true)"),
    };

    private static readonly Gen<string> LayerAttribute =
        from name in LayerNames
        from arguments in Gen.Frequency((2, Gen.Constant("")), (3, Arguments), (6, PlausibleArguments(name)))
        select name + arguments;

    private static readonly Gen<string> AttributeLists =
        Gen.Choose(0, 6).SelectMany(lists => Gen.ListOf(Gen.Choose(1, 4).SelectMany(n => Gen.ListOf(LayerAttribute, n)).Select(layers => "[" + string.Join(", ", layers) + "]"), lists))
            .Select(lists => string.Join("\n", lists));

    private static readonly Gen<string> NetworkAttribute = Gen.Frequency(
        (6, Gen.Constant("[Network(1, 28, 28)]")),
        (3, from arguments in Arguments select "[Network" + arguments + "]"),
        (2, from c in Ints from h in Ints from w in Ints from named in Gen.Choose(0, 2).SelectMany(n => Gen.ListOf(NamedArguments, n))
            select $"[Network({string.Join(", ", new[] { c, h, w }.Concat(named))})]"),
        (1, Gen.Constant("")),
        (1, Gen.Constant("[Network(1, 28, 28)][Network(1, 28, 28)]")));

    private static readonly Gen<string> TypeKeyword = Gen.Frequency(
        (10, Gen.Constant("public partial class")),
        (1, Gen.Elements("partial class", "public class", "public static partial class", "public abstract partial class", "public sealed partial class",
            "internal partial class", "public partial struct", "public partial interface", "public partial record", "public partial record struct",
            "public readonly partial struct", "file partial class", "public partial ref struct", "public enum", "public delegate void")));

    private static readonly Gen<string> TypeDeclaration =
        from network in NetworkAttribute
        from layers in AttributeLists
        from keyword in TypeKeyword
        from name in Gen.Elements("Net0", "Net1", "Net2")
        from generic in Gen.Frequency((8, Gen.Constant("")), (1, Gen.Constant("<T>")))
        from body in Gen.Elements(";", " { }", " { public int Extra => 1; }", " {", "")
        select keyword == "public delegate void" ? $"{network}\n{layers}\n{keyword} {name}{generic}();" : $"{network}\n{layers}\n{keyword} {name}{generic}{body}";

    private static readonly Gen<string> Nested =
        from inner in TypeDeclaration
        from outer in Gen.Frequency((4, Gen.Constant("")),
            (1, Gen.Elements("public partial class Outer", "public class Outer", "public partial struct Outer", "public partial class Outer<T>",
                "public static partial class Outer", "public partial interface IOuter", "public partial record Outer", "public partial class Outer : System.Attribute")))
        select outer.Length == 0 ? inner : $"{outer}\n{{\n{inner}\n}}";

    private static readonly Gen<string> Container = Gen.Elements("", "namespace Fuzz;\n", "namespace Fuzz.Deeper;\n", "namespace Fuzz { BODY }", "namespace Fuzz.Deeper { BODY }");

    private static readonly Gen<string> Source =
        from usings in Gen.Frequency((10, Gen.Constant("using Mnist.Dsl;\n")), (1, Gen.Elements("", "using Mnist.Dsl.Layers;\n", "using static Mnist.Dsl.RequiredLayers;\nusing Mnist.Dsl;\n")))
        from container in Container
        from declarations in Gen.Choose(1, 3).SelectMany(n => Gen.ListOf(Nested, n))
        let body = string.Join("\n\n", declarations)
        select usings + (container.Contains("BODY", StringComparison.Ordinal) ? container.Replace("BODY", "\n" + body + "\n", StringComparison.Ordinal) : container + body + "\n");

    /// <summary>Syntax errors: the source cut short, a character dropped, or a stray token dropped in.</summary>
    private static Gen<string> Mangle(string source) =>
        from kind in Gen.Choose(0, 2)
        from at in Gen.Choose(0, source.Length)
        from token in Gen.Elements("[", "]", "(", ")", ",", "=", " partial ", "\"", "/*", "\n#if X\n", "\n#endregion\n", "<", "}", "{", "@", "\\u0041", "'")
        select kind switch
        {
            0 => source[..at],
            1 => at < source.Length ? source.Remove(at, 1) : source,
            _ => source.Insert(at, token),
        };

    /// <summary>One number of a source (a size, a probability, a layer's position in Conv2d-1...) swapped for any value at all.</summary>
    private static Gen<string> SwapANumber(string source)
    {
        var numbers = System.Text.RegularExpressions.Regex.Matches(source, @"(?<![\w.])\d+(\.\d+)?(?![\w.])");
        if (numbers.Count == 0) return Gen.Constant(source);
        return from index in Gen.Choose(0, numbers.Count - 1)
               from value in Values
               let number = numbers[index]
               select source[..number.Index] + value + source[(number.Index + number.Length)..];
    }

    /// <summary>
    /// Random declarations, most of them broken somewhere; and valid networks with one number swapped or a syntax
    /// error dropped in, which get further (into the generator and the emitter) before they go wrong (the valid
    /// networks come from <see cref="ValidStacks"/>, shared with CompileTimeEqualsRunTimeTests).
    /// </summary>
    private static Gen<Declaration> Malformed =>
        Gen.Frequency(
                (4, Source), (2, Source.SelectMany(Mangle)), (1, Source.SelectMany(Mangle).SelectMany(Mangle)),
                (2, ValidStacks.Any.Select(s => s.Source)), (3, ValidStacks.Any.SelectMany(s => SwapANumber(s.Source))),
                (1, ValidStacks.Any.SelectMany(s => SwapANumber(s.Source)).SelectMany(SwapANumber)), (1, ValidStacks.Any.SelectMany(s => Mangle(s.Source))))
            .Select(s => new Declaration(s));

    /// <summary>
    /// Both cores: each case is an independent compilation. MNIST_FUZZ_SCALE=k runs k times the suite's count
    /// (the longer runs by hand that docs/robustness.md records).
    /// </summary>
    private static Config Cases(int count) => Config.QuickThrowOnFailure.WithMaxTest(count * Scale).WithQuietOnSuccess(true)
        .WithParallelRunConfig(FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount)));

    private static readonly int Scale =
        int.TryParse(Environment.GetEnvironmentVariable("MNIST_FUZZ_SCALE"), out var scale) && scale > 0 ? scale : 1;

    [Fact]
    public void Random_and_malformed_declarations_never_crash_the_generator_or_the_analyzer()
    {
        int cases = 0, generated = 0, reported = 0;
        var property = Prop.ForAll(Malformed.ToArbitrary(), declaration =>
        {
            var result = Run(declaration.Source);
            AssertNoCrash(result);
            AssertGeneratedCodeCompiles(result);
            Interlocked.Increment(ref cases);
            if (!result.Generated.IsEmpty) Interlocked.Increment(ref generated);
            if (result.AnalyzerDiagnostics.Any(d => d.Id.StartsWith("MNIST", StringComparison.Ordinal))) Interlocked.Increment(ref reported);
        });

        const int count = 2_000;
        Check.One(Cases(count), property);

        output.WriteLine($"{cases} declarations: {generated} got generated code, {reported} got an MNIST diagnostic");
        // The mix is not degenerate: many cases get code generated (so its compiling is tested) and many get diagnostics.
        Assert.Equal(count * Scale, cases);
        Assert.True(generated > cases / 5, $"only {generated} of {cases} cases generated code");
        Assert.True(reported > cases / 5, $"only {reported} of {cases} cases got an MNIST diagnostic");
    }

    /// <summary>The cases the random search found once, kept so they stay fixed whatever the random seed.</summary>
    [Theory]
    [InlineData("[Network(1, 28, 28, Requires = RequiredLayers.None)] [Conv2d(8, 3, Padding = 1000000000), Flatten, Linear(10)] public partial class S;")]
    [InlineData("[Network(2000000000, 28, 28, Requires = RequiredLayers.None)] [Conv2d(2000000000, 3), Flatten, Linear(10)] public partial class S;")]
    [InlineData("[Network(1, 28, 28, Requires = RequiredLayers.None)] [Conv2d(1, 2000000000, Padding = 1000000000), Conv2d(3, 1), Flatten, Linear(10)] public partial class S;")]
    [InlineData("[Network(1, 28, 28, Requires = RequiredLayers.None)] [Conv2d(8, 3, Stride = 65536), Conv2d(8, 1, Stride = 65536), Conv2d(8, 1, Stride = 65536), Flatten, Linear(10)] public partial class S;")]
    [InlineData("[Network(1, 28, 28, Requires = RequiredLayers.None)] [Flatten, BatchNorm1d(Eps = 1.0 / 0), Linear(10)] public partial class S;")]
    [InlineData("[Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S; [Network(1, 28, 28)] public partial class S;")]
    [InlineData("[Network(-1, 28, 28, Requires = RequiredLayers.None)] [Conv2d(8, 3), Flatten, Linear(10)] public partial class S;")]
    [InlineData("[Network(1, 28, 28, Requires = RequiredLayers.None)] [Flatten, Linear(10)] public partial record S;")]
    [InlineData("namespace (Fuzz;\n[Network(1, 28, 28, Requires = RequiredLayers.None)] [Flatten, Linear(10)] public partial class S;")]
    [InlineData("public partial record Outer { [Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S; }\npublic static partial class Outer { [Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S; }")]
    [InlineData("namespace Outer { [Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S; }\npublic partial class Outer { [Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S; }")]
    [InlineData("[Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S;\n[Network(1, 28, 28)] [Flatten, Linear(10)] public partial struct S;")]
    // A class nested in one of its own name (CS0542 in the user's code): the generated code must not repeat the error.
    [InlineData("public partial class S { [Network(1, 28, 28)] [Flatten, Linear(10)] public partial class S { } }")]
    // Parts that disagree on file (the compiler's error): the generated part must not name the type from another file.
    [InlineData("[Network(1, 28, 28)] [MaxPool2d(2)] public partial class S;\n[Dropout2d(0.1)] file partial class S { }")]
    [InlineData("[Network(1, 28, 28)] [Flatten, Linear(10)] file partial class S;\n[Dropout(0.1)] public partial class S { }")]
    // Requires with bits outside the known flags: the emitted cast of a negative value needs its parentheses (CS0075).
    [InlineData("[Network(1, 28, 28, Requires = (RequiredLayers)(-3))] [Flatten, Linear(10)] public partial class S;")]
    public void Inputs_that_once_crashed_or_emitted_broken_code_are_now_reported(string declaration)
    {
        var result = Run("using Mnist.Dsl;\n" + declaration);

        AssertNoCrash(result);
        AssertGeneratedCodeCompiles(result);
        // Each of these is wrong in a way the analyzer must say, so the user is not left with a silent no-op.
        Assert.Contains(result.AnalyzerDiagnostics.Concat(result.CompilerDiagnostics), d => d.Severity == DiagnosticSeverity.Error);
    }

    /// <summary>Keywords are legal names with an @; the generated declarations must keep it.</summary>
    [Fact]
    public void A_network_named_with_a_keyword_in_a_namespace_named_with_keywords_gets_code_that_compiles()
    {
        var result = RunWithInference("using Mnist.Dsl;\nnamespace @namespace.@int;\npublic partial class @struct\n{\n    [Network(1, 28, 28, Requires = RequiredLayers.None)] [Conv2d(10, 28), Flatten, Linear(10)] public partial class @class;\n}\n");

        // The module and its inference class.
        Assert.Equal(new[] { "namespace.int.struct+class.g.cs", "namespace.int.struct+classInference.g.cs" }, result.Generated.Select(g => g.HintName).Order());
        Assert.Empty(result.CompilerDiagnostics.Select(d => d.ToString()));
        Assert.Empty(result.AnalyzerDiagnostics.Select(d => d.ToString()));
    }

    private static void AssertNoCrash(GeneratorHarness.Result result)
    {
        var all = result.GeneratorDiagnostics.Concat(result.CompilerDiagnostics).Concat(result.AnalyzerDiagnostics);
        var crashes = all.Where(d => CrashIds.Contains(d.Id)).Select(d => d.ToString()).ToArray();
        Assert.True(crashes.Length == 0, string.Join("\n", crashes));
    }

    private static void AssertGeneratedCodeCompiles(GeneratorHarness.Result result)
    {
        var generatedTrees = result.Generated.Select(g => g.SyntaxTree)
            .Concat(result.Registry is { } registry ? new[] { registry.SyntaxTree } : Array.Empty<SyntaxTree>()).ToHashSet();
        var errors = result.CompilerDiagnostics
            .Where(d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree is { } tree && generatedTrees.Contains(tree))
            .Select(d => d.ToString()).ToArray();
        Assert.True(errors.Length == 0, string.Join("\n", errors) + "\n" + string.Join("\n", result.Generated.Select(g => g.SourceText.ToString())));
    }

    // ---------------------------------------------------------------- valid layer stacks

    [Fact]
    public void Random_valid_stacks_compile_cleanly_and_their_ParameterCount_is_the_layer_algebras()
    {
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            var expected = NetworkAnalysis.Analyze(stack.Definition);
            // The builder's own promise: only the receptive-field warning may remain.
            Assert.True(expected.IsValid, string.Join("\n", expected.Violations));

            var result = Run(stack.Source);

            Assert.Empty(result.GeneratorDiagnostics);
            Assert.Single(result.Generated);
            Assert.True(result.CompilerDiagnostics.IsEmpty, string.Join("\n", result.CompilerDiagnostics) + "\n" + result.Generated.Single().SourceText);
            Assert.All(result.AnalyzerDiagnostics, d => Assert.Equal("MNIST0014", d.Id));
            var type = result.Output.GetTypeByMetadataName(ValidStack.TypeName)!;
            Assert.Equal(expected.Summary!.TotalParameters, Constant<long>(type, "ParameterCount"));
            Assert.Equal(expected.Summary.ReceptiveField, Constant<int>(type, "ReceptiveField"));
        });

        Check.One(Cases(1_000), property);
    }

    /// <summary>
    /// Every valid stack gets an inference class that compiles cleanly (its numbers are checked against libtorch for the
    /// sample networks in tests/Mnist.Inference.Tests): every layer kind, stride, padding and channel count the
    /// builder draws, including channel counts that are not multiples of 8 and maps flattened into Linear layers.
    /// </summary>
    [Fact]
    public void Random_valid_stacks_get_an_inference_class_that_compiles_cleanly()
    {
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            var result = RunWithInference(stack.Source);

            Assert.Empty(result.GeneratorDiagnostics);
            Assert.Equal(new[] { "Fuzz.Net.g.cs", "Fuzz.NetInference.g.cs" }, result.Generated.Select(g => g.HintName).Order());
            Assert.True(result.CompilerDiagnostics.IsEmpty, string.Join("\n", result.CompilerDiagnostics) + "\n" + result.Source("NetInference"));
        });

        Check.One(Cases(50), property);
    }

    private static T Constant<T>(INamedTypeSymbol type, string name)
    {
        var field = type.GetMembers(name).OfType<IFieldSymbol>().Single();
        Assert.True(field.HasConstantValue, $"{name} is not a constant");
        return Assert.IsType<T>(field.ConstantValue);
    }
}
