using System;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Mnist.Dsl.Testing;

/// <summary>
/// The running .NET's own assemblies (System.*, mscorlib, netstandard) as metadata references, for in-memory
/// compilations and workspaces in tests. Also compiled into Mnist.Dsl.CodeFixes.Tests (linked), so both agree.
/// </summary>
internal static class FrameworkReferences
{
    private static readonly Lazy<MetadataReference[]> All = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p) is var f && (f.StartsWith("System.", StringComparison.Ordinal) || f is "mscorlib.dll" or "netstandard.dll"))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray());

    public static MetadataReference[] Value => All.Value;
}
