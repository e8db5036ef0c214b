namespace Mnist.Dsl.Torch;

/// <summary>
/// Loads TorchSharp's native libraries up front, so that a machine that cannot run them gets one line naming
/// what is missing and the command that fixes it, instead of TorchSharp's page-long load trace (its issues #1222,
/// #1310) or a DllNotFoundException from whichever call happens to come first.
/// </summary>
public static class NativeRuntime
{
    /// <summary>What TorchSharp loads from the application folder: its own binding, then libtorch's libraries.</summary>
    private static readonly string[] Libraries = { "libLibTorchSharp.so", "libtorch.so", "libtorch_cpu.so", "libc10.so" };

    /// <summary>Loads libtorch through TorchSharp now; throws <see cref="NativeRuntimeException"/> with the one-line
    /// diagnosis if it cannot.</summary>
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

    /// <summary>Where a build output keeps the natives: runtimes/linux-x64/native (NuGet's layout), else next to the
    /// assemblies (a publish for one runtime).</summary>
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
            return $"TorchSharp's native libraries are missing from {folder} ({string.Join(", ", missing)}): " +
                $"the TorchSharp and libtorch-cpu-linux-x64 packages were not restored: run `./build.sh setup`, then rebuild with `dotnet build`.";
        var binding = Path.Combine(folder, "libLibTorchSharp.so");
        if (Libstdcxx.FindSystem() is { } system && !Libstdcxx.Provides(system, Glibcxx.Version) && NeedsPatch(binding))
            return $"{binding} needs {Glibcxx.Version}, which {system} lacks, and was not patched: " +
                $"rebuild with `dotnet build` (the build patches it; see src/TorchSharp/build/Mnist.Dsl.TorchSharp.targets).";
        var first = (e.InnerException ?? e).Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault() ?? e.GetType().Name;
        return $"TorchSharp's native library in {folder} could not be loaded ({first}): run `./build.sh setup`, then rebuild with `dotnet build`.";
    }

    /// <summary>The build's own patcher decides, on the bytes; a library it cannot read or refuses is not one it would fix.</summary>
    private static bool NeedsPatch(string library)
    {
        try
        {
            return Glibcxx.NeedsPatch(library);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
