using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mnist.Dsl.Testing;

/// <summary>
/// A generator run's output compiled and loaded into this process, so tests can call what the generated code
/// offers (the registry, Definition). Its references (Mnist.Dsl, TorchSharp) resolve to the ones already loaded,
/// so its Mnist.Dsl types are this process's.
/// </summary>
internal static class LoadedCompilation
{
    public static Assembly Load(CSharpCompilation output)
    {
        using var image = new MemoryStream();
        var emitted = output.Emit(image);
        if (!emitted.Success)
            throw new InvalidOperationException("the generated code does not compile:\n" + string.Join("\n", emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        return Assembly.Load(image.ToArray());
    }
}
