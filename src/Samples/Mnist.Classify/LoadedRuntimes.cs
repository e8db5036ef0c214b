using System;
using System.IO;
using System.Linq;

namespace Mnist.Classify;

/// <summary>What native and managed runtimes this process has loaded, to show that inference needs none.</summary>
internal static class LoadedRuntimes
{
    private static readonly string[] NativeMarkers = { "libtorch", "libc10", "LibTorchSharp" };

    /// <summary>Native libraries of libtorch or TorchSharp's binding mapped into this process (Linux: /proc/self/maps).</summary>
    public static string[] NativeTorchLibraries() =>
        File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps").Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
                .Where(path => NativeMarkers.Any(m => Path.GetFileName(path).Contains(m, StringComparison.Ordinal))).Distinct().ToArray()
            : Array.Empty<string>();

    /// <summary>Managed assemblies of a torch binding (TorchSharp) loaded into this process.</summary>
    public static string[] ManagedTorchAssemblies() =>
        AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetName().Name ?? "")
            .Where(n => n.StartsWith("TorchSharp", StringComparison.Ordinal)).ToArray();
}
