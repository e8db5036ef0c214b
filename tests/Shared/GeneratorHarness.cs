using Mnist.Dsl.Generator;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Analyzers;

namespace Mnist.Dsl.Testing;

/// <summary>
/// Runs the generator and the analyzer over a compilation, as the build does. <see cref="Result.Generated"/> holds
/// the files generated per network (module, inference class); the compilation's one registry file, when there
/// is one, is <see cref="Result.Registry"/> (NetworkRegistryTests test it).
/// </summary>
internal static class GeneratorHarness
{
    public sealed record Result(
        CSharpCompilation Output,
        ImmutableArray<GeneratedSourceResult> Generated,
        GeneratedSourceResult? Registry,
        ImmutableArray<Diagnostic> GeneratorDiagnostics,
        ImmutableArray<Diagnostic> CompilerDiagnostics,
        ImmutableArray<Diagnostic> AnalyzerDiagnostics,
        GeneratorDriver Driver)
    {
        public string Source(string typeName) => Generated.Single(g => g.HintName.EndsWith("." + typeName + ".g.cs") || g.HintName == typeName + ".g.cs").SourceText.ToString();

        /// <summary>The registry file's source; the compilation must have one.</summary>
        public string RegistrySource => Registry!.Value.SourceText.ToString();

        /// <summary>The compiler's warnings and errors on the output, as text: a test asserts there are none, and a failure lists them.</summary>
        public IEnumerable<string> CompilerWarnings => CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString());
    }

    public const string RegistryHintName = "Mnist.Dsl.NetworkRegistry.g.cs";

    public static GeneratorDriver NewDriver(AnalyzerConfigOptionsProvider? options = null) =>
        CSharpGeneratorDriver.Create(
            new[] { new NetworkGenerator().AsSourceGenerator() },
            parseOptions: CompilationFactory.ParseOptions,
            optionsProvider: options,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    public static Result Run(CSharpCompilation compilation, AnalyzerConfigOptionsProvider? options = null)
    {
        var driver = NewDriver(options).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var run = driver.GetRunResult();
        var analyzers = output.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()),
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty, options ?? TestOptions.Instance));
        var analyzerDiagnostics = analyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None).Result;
        var sources = run.Results.SelectMany(r => r.GeneratedSources).ToImmutableArray();
        GeneratedSourceResult? registry = sources.Any(s => s.HintName == RegistryHintName) ? sources.Single(s => s.HintName == RegistryHintName) : null;
        return new Result((CSharpCompilation)output, sources.Where(s => s.HintName != RegistryHintName).ToImmutableArray(), registry, generatorDiagnostics,
            output.GetDiagnostics(), analyzerDiagnostics, driver);
    }

    public static Result Run(params string[] sources) => Run(CompilationFactory.Create(sources));

    /// <summary>Analyzer options with per-file (.editorconfig) and global (MSBuild property) values.</summary>
    internal sealed class TestOptions : AnalyzerConfigOptionsProvider
    {
        public static readonly TestOptions Instance = new(new Dictionary<string, string>(), new Dictionary<string, string>());

        private readonly Options _global, _perFile;

        public TestOptions(IReadOnlyDictionary<string, string> global, IReadOnlyDictionary<string, string> perFile)
        {
            _global = new Options(global);
            _perFile = new Options(perFile);
        }

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _perFile;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _perFile;

        private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, out string value) => values.TryGetValue(key, out value!);
        }
    }
}
