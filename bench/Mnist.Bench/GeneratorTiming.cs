using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl;
using Mnist.Dsl.Analyzers;
using Mnist.Dsl.Generator;

namespace Mnist.Bench;

/// <summary>Medians over the timed rounds for one number of declarations, in milliseconds.</summary>
internal sealed record GeneratorTimes(int Declarations, double GeneratorMs, double AnalyzerMs, double AnalysisWallMs);

/// <summary>
/// The build-time cost of the generator and the analyzer for N distinct valid [Network] declarations, one file
/// each, in an in-memory compilation that references Mnist.Dsl and TorchSharp as a project does. Every round
/// starts from a new compilation and a new generator driver, as a clean build does (the IDE's incremental reruns
/// are cheaper: IncrementalCachingTests covers those). The generator figure is the driver's run, including
/// parsing what it emits; the analyzer figure is the analyzer's own execution time as the compiler's
/// -p:ReportAnalyzer=true measures it; the analysis wall time adds the compiler's binding of the whole
/// compilation (the generated code included) that running analyzers forces.
/// </summary>
internal static class GeneratorTiming
{
    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static GeneratorTimes Run(int declarations, int rounds, int warmup)
    {
        var trees = Enumerable.Range(0, declarations)
            .Select(i => CSharpSyntaxTree.ParseText(Declaration(i), ParseOptions, path: $"Net{i:D3}.cs"))
            .ToArray();
        var references = FrameworkReferences()
            .Append(MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location))
            .Append(MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location))
            .ToArray();

        var generator = new List<double>();
        var analyzer = new List<double>();
        var analysisWall = new List<double>();
        for (var round = 0; round < warmup + rounds; round++)
        {
            var compilation = CSharpCompilation.Create("Networks", trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            GeneratorDriver driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions);

            var clock = Stopwatch.StartNew();
            driver = driver.RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
            var generatorMs = clock.Elapsed.TotalMilliseconds;

            var networkAnalyzer = new NetworkAnalyzer();
            var withAnalyzers = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(networkAnalyzer),
                new CompilationWithAnalyzersOptions(new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null,
                    concurrentAnalysis: false, logAnalyzerExecutionTime: true));
            clock.Restart();
            var analyzerDiagnostics = withAnalyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
            var wallMs = clock.Elapsed.TotalMilliseconds;
            var telemetry = withAnalyzers.GetAnalyzerTelemetryInfoAsync(networkAnalyzer, CancellationToken.None).GetAwaiter().GetResult();

            // Checked once, untimed: a benchmark of declarations the generator skipped would measure nothing.
            if (round == 0) Check(declarations, driver, output, generatorDiagnostics, analyzerDiagnostics);
            if (round < warmup) continue;
            generator.Add(generatorMs);
            analyzer.Add(telemetry.ExecutionTime.TotalMilliseconds);
            analysisWall.Add(wallMs);
        }
        return new GeneratorTimes(declarations, Median(generator), Median(analyzer), Median(analysisWall));
    }

    /// <summary>
    /// Declaration <paramref name="index"/>: the default network's shape with the first two widths varied, so
    /// that up to 100 declarations are distinct networks (8-17 and 12-21 channels), all under the 20,000 budget.
    /// </summary>
    public static string Declaration(int index) => $$"""
        using Mnist.Dsl;

        namespace Bench;

        [Network(1, 28, 28)]
        [Conv2d({{8 + index % 10}}, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d({{12 + index / 10 % 10}}, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]
        [MaxPool2d(2), Conv2d(12, 1, Bias = false)]
        [Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class Net{{index:D3}};
        """;

    /// <summary>The module and its dependency-free inference class.</summary>
    private const int FilesPerDeclaration = 2;

    private static void Check(int declarations, GeneratorDriver driver, Compilation output,
        ImmutableArray<Diagnostic> generatorDiagnostics, ImmutableArray<Diagnostic> analyzerDiagnostics)
    {
        var generated = driver.GetRunResult().Results.Sum(r => r.GeneratedSources.Length);
        var problems = generatorDiagnostics.Concat(analyzerDiagnostics)
            .Concat(output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error))
            .ToList();
        if (generated != FilesPerDeclaration * declarations || problems.Count > 0)
            throw new InvalidOperationException(
                $"the benchmark's {declarations} declarations gave {generated} generated files and {problems.Count} diagnostics " +
                $"(first: {problems.FirstOrDefault()}); the generator or the declarations changed: fix GeneratorTiming.Declaration.");
    }

    /// <summary>The running .NET's own assemblies, as the test compilations reference them.</summary>
    private static IEnumerable<MetadataReference> FrameworkReferences() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p));

    private static double Median(List<double> values)
    {
        var sorted = values.OrderBy(v => v).ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
