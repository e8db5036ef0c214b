using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mnist.Dsl.Testing;

/// <summary>Builds in-memory compilations that reference the .NET runtime, Mnist.Dsl and (optionally) the real TorchSharp.</summary>
internal static class CompilationFactory
{
    public static readonly MetadataReference Dsl = MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location);
    public static readonly MetadataReference Torch = MetadataReference.CreateFromFile(typeof(TorchSharp.torch).Assembly.Location);

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(IEnumerable<string> sources, bool withTorch = true, IEnumerable<MetadataReference>? extra = null) =>
        CSharpCompilation.Create(
            "Networks",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Network{i}.cs")),
            FrameworkReferences.Value.Append(Dsl).Concat(withTorch ? new[] { Torch } : Array.Empty<MetadataReference>()).Concat(extra ?? Array.Empty<MetadataReference>()),
            // The SDK's warning level (its default AnalysisLevel turns on every warning wave), not Roslyn's API default of 4,
            // under which a lower-case alias (CS8981) in generated code passed here and failed a user's -warnaserror build.
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable, warningLevel: 9999));

    public static CSharpCompilation Create(params string[] sources) => Create(sources, true);

    /// <summary>
    /// Just the references the declarations and the generated code need: binding against the ~170 framework
    /// assemblies <see cref="Create(string[])"/> references takes most of a run, and the property tests run thousands.
    /// </summary>
    private static readonly Lazy<MetadataReference[]> LeanReferences = new(() =>
    {
        var lean = Create("").References
            .Where(r => System.IO.Path.GetFileName(r.Display) is "System.Runtime.dll" or "System.Private.CoreLib.dll" or "netstandard.dll" or "Mnist.Dsl.dll" or "TorchSharp.dll")
            .DistinctBy(r => System.IO.Path.GetFileName(r.Display))
            .ToArray();
        return lean.Length == 5 ? lean : throw new InvalidOperationException("expected 5 lean references, found: " + string.Join(", ", lean.Select(r => r.Display)));
    });

    /// <summary>A compilation of the sources against the runtime's core, Mnist.Dsl and TorchSharp only.</summary>
    public static CSharpCompilation CreateLean(params string[] sources) => Create(sources).WithReferences(LeanReferences.Value);
}
