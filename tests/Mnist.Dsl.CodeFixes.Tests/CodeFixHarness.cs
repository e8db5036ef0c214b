using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Mnist.Dsl.Analyzers;
using Mnist.Dsl.Generator;
using Mnist.Dsl.Testing;
using Xunit;

namespace Mnist.Dsl.CodeFixes.Tests;

/// <summary>
/// What an IDE does with a code fix, without Microsoft.CodeAnalysis.*.Testing (not served here): a document in
/// an <see cref="AdhocWorkspace"/> that references the runtime and Mnist.Dsl, the analyzer run over it, the fix
/// provider asked for actions per diagnostic (or for its Fix All action), the action's operation applied.
/// </summary>
internal static class CodeFixHarness
{
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        FrameworkReferences.Value.Append(MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location)).ToArray());

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>A workspace holding one project with one document per source ("Network0.cs", ...); returns the first.</summary>
    public static Document CreateDocument(params string[] sources)
    {
        var workspace = new AdhocWorkspace();
        var project = workspace.AddProject(ProjectInfo.Create(
            ProjectId.CreateNewId(), VersionStamp.Default, "Networks", "Networks", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: ParseOptions,
            metadataReferences: References.Value));
        var documents = sources.Select((s, i) => workspace.AddDocument(project.Id, $"Network{i}.cs", SourceText.From(s))).ToArray();
        return workspace.CurrentSolution.GetDocument(documents[0].Id)!;
    }

    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        var analyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new NetworkAnalyzer()),
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty));
        var diagnostics = await analyzers.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        var tree = await document.GetSyntaxTreeAsync();
        return diagnostics.Where(d => d.Location.SourceTree == tree).OrderBy(d => d.Location.SourceSpan.Start).ToImmutableArray();
    }

    /// <summary>The actions <paramref name="provider"/> registers for <paramref name="diagnostic"/>.</summary>
    public static async Task<ImmutableArray<CodeAction>> ActionsAsync(Document document, CodeFixProvider provider, Diagnostic diagnostic)
    {
        var actions = ImmutableArray.CreateBuilder<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions.ToImmutable();
    }

    /// <summary>The text of <paramref name="document"/> after applying <paramref name="action"/>.</summary>
    public static async Task<Document> ApplyAsync(Document document, CodeAction action)
    {
        var operations = await action.GetOperationsAsync(CancellationToken.None);
        var solution = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        return solution.GetDocument(document.Id)!;
    }

    /// <summary>The provider's Fix All action over the document for these diagnostic IDs and equivalence key, applied.</summary>
    public static async Task<Document> FixAllAsync(Document document, CodeFixProvider provider, string equivalenceKey, params string[] ids)
    {
        var diagnostics = await AnalyzeAsync(document);
        var context = new FixAllContext(document, provider, FixAllScope.Document, equivalenceKey, ids,
            new DiagnosticProvider(diagnostics), CancellationToken.None);
        var fixAll = provider.GetFixAllProvider();
        Assert.NotNull(fixAll);
        Assert.Contains(FixAllScope.Document, fixAll.GetSupportedFixAllScopes());
        var action = await fixAll.GetFixAsync(context);
        Assert.NotNull(action);
        return await ApplyAsync(document, action);
    }

    public static async Task<string> TextAsync(Document document) => (await document.GetTextAsync()).ToString();

    /// <summary>
    /// The document's project compiled as the build does, with the generator: the compiler's errors (on the
    /// sources and on the generated code) and the generated sources' hint names.
    /// </summary>
    public static async Task<(ImmutableArray<Diagnostic> Errors, ImmutableArray<string> Generated)> BuildAsync(Document document)
    {
        var compilation = (await document.Project.GetCompilationAsync())!;
        var driver = CSharpGeneratorDriver.Create(new[] { new NetworkGenerator().AsSourceGenerator() }, parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorDiagnostics);
        var errors = output.GetDiagnostics().Concat(generatorDiagnostics).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray();
        var generated = driver.GetRunResult().Results.SelectMany(r => r.GeneratedSources).Select(s => s.HintName).ToImmutableArray();
        return (errors, generated);
    }

    private sealed class DiagnosticProvider(ImmutableArray<Diagnostic> diagnostics) : FixAllContext.DiagnosticProvider
    {
        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult<IEnumerable<Diagnostic>>(diagnostics);

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken) =>
            Task.FromResult(Enumerable.Empty<Diagnostic>());
    }
}
