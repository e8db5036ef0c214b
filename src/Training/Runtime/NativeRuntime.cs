using System;
using System.IO;
using System.Linq;
using System.Text;
using TorchSharp;

namespace Mnist.Dsl.Training.Runtime;

/// <summary>
/// Loads TorchSharp's native libraries up front, so that a machine that cannot run them gets one line naming
/// what is missing and the command that fixes it, instead of TorchSharp's page-long load trace (its issues #1222,
/// #1310) or a DllNotFoundException from whichever call happens to come first.
/// </summary>
public static class NativeRuntime
{
    /// <summary>What TorchSharp loads from the application folder: its own binding, then libtorch's libraries.</summary>
    private static readonly string[] Libraries = { "libLibTorchSharp.so", "libtorch.so", "libtorch_cpu.so", "libc10.so" };

    private const string GlibcxxVersion = "GLIBCXX_3.4.32";

    /// <summary>Loads libtorch through TorchSharp now; throws <see cref="NativeRuntimeException"/> with the one-line diagnosis if it cannot.</summary>
    public static void EnsureLoaded()
    {
        try
        {
            torch.InitializeDeviceType(DeviceType.CPU);
        }
        catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            throw new NativeRuntimeException(Explain(NativeFolder(AppContext.BaseDirectory), e), e);
        }
    }

    /// <summary>Where a build output keeps the natives: runtimes/linux-x64/native (NuGet's layout), else next to the assemblies (a publish for one runtime).</summary>
    public static string NativeFolder(string applicationFolder)
    {
        var runtimes = Path.Combine(applicationFolder, "runtimes", "linux-x64", "native");
        return Directory.Exists(runtimes) ? runtimes : applicationFolder;
    }

    /// <summary>The one-line diagnosis: a missing file, the unpatched libstdc++ requirement, or else the loader's first line.</summary>
    public static string Explain(string folder, Exception e)
    {
        var missing = Libraries.Where(l => !File.Exists(Path.Combine(folder, l))).ToArray();
        if (missing.Length > 0)
            return $"TorchSharp's native libraries are missing from {folder} ({string.Join(", ", missing)}): the TorchSharp and libtorch-cpu-linux-x64 packages were not restored: run `./build.sh setup`, then rebuild with `dotnet build`.";
        var binding = Path.Combine(folder, "libLibTorchSharp.so");
        if (Contains(binding, GlibcxxVersion) && Libstdcxx() is { } system && !Contains(system, GlibcxxVersion))
            return $"{binding} needs {GlibcxxVersion}, which {system} lacks, and was not patched: rebuild with `dotnet build` (the build patches it; see src/Dsl/build/Mnist.Dsl.targets).";
        var first = (e.InnerException ?? e).Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? e.GetType().Name;
        return $"TorchSharp's native library in {folder} could not be loaded ({first}): run `./build.sh setup`, then rebuild with `dotnet build`.";
    }

    private static string? Libstdcxx() =>
        new[] { "/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/usr/lib64/libstdc++.so.6" }.FirstOrDefault(File.Exists);

    /// <summary>Whether the file holds the symbol version as a whole string: a library that defines or needs it.</summary>
    private static bool Contains(string path, string version) =>
        File.ReadAllBytes(path).AsSpan().IndexOf(Encoding.ASCII.GetBytes("\0" + version + "\0")) >= 0;
}
