using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Mnist.Dsl.Testing;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>Builds in-memory compilations that reference the .NET runtime, Mnist.Dsl and (optionally) Mnist.Torch.</summary>
internal static class CompilationFactory
{
    public static readonly MetadataReference Dsl = MetadataReference.CreateFromFile(typeof(NetworkAttribute).Assembly.Location);
    public static readonly MetadataReference Torch = MetadataReference.CreateFromFile(typeof(Mnist.Torch.torch).Assembly.Location);

    public static CSharpParseOptions ParseOptions { get; } = new(LanguageVersion.Latest);

    public static CSharpCompilation Create(IEnumerable<string> sources, bool withTorch = true, IEnumerable<MetadataReference>? extra = null) =>
        CSharpCompilation.Create(
            "Networks",
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Network{i}.cs")),
            FrameworkReferences.Value.Append(Dsl).Concat(withTorch ? new[] { Torch } : Array.Empty<MetadataReference>()).Concat(extra ?? Array.Empty<MetadataReference>()),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    public static CSharpCompilation Create(params string[] sources) => Create(sources, true);
}
