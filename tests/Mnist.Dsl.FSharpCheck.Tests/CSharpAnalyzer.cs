using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>The C# analyzer's diagnostics on one C# source (no generator: the rules the F# check mirrors need none).</summary>
internal static class CSharpAnalyzer
{
    public static ImmutableArray<Diagnostic> Diagnostics(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Append(typeof(NetworkAttribute).Assembly.Location).Distinct()
            .Select(path => MetadataReference.CreateFromFile(path));
        var compilation = CSharpCompilation.Create("Checked", [CSharpSyntaxTree.ParseText(source, new CSharpParseOptions(LanguageVersion.Latest))],
            references, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        return compilation.WithAnalyzers([new Analyzers.NetworkAnalyzer()])
            .GetAnalyzerDiagnosticsAsync(CancellationToken.None).Result;
    }
}
