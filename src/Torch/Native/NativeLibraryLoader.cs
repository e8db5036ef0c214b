using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mnist.Torch;

/// <summary>
/// Resolves the shim next to this assembly, and turns a load failure into a message that names what is
/// missing and the command that installs it (instead of the runtime's bare "unable to load").
/// </summary>
internal static class NativeLibraryLoader
{
    public const string ShimName = "mnist_torch_shim";
    private const string InstallHint =
        "Install libtorch with `sudo apt-get install libtorch-dev` (or run ./build.sh, which installs it), " +
        "or build the shim against another libtorch by setting LIBTORCH_DIR and rebuilding src/Torch.";

    // A library may not own Main, and the resolver must be in place before the first P/Invoke of any caller.
#pragma warning disable CA2255
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => NativeLibrary.SetDllImportResolver(typeof(NativeLibraryLoader).Assembly, Resolve);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name != ShimName) return IntPtr.Zero;
        var file = $"lib{ShimName}.so";
        var candidates = new[]
        {
            Path.Combine(AppContext.BaseDirectory, file),
            Path.Combine(Path.GetDirectoryName(assembly.Location) ?? "", file),
        };
        foreach (var path in candidates)
        {
            if (!File.Exists(path)) continue;
            try
            {
                return NativeLibrary.Load(path);
            }
            catch (DllNotFoundException e)
            {
                throw new TorchNotInstalledException(
                    $"The Mnist.Torch native shim at {path} was found but could not be loaded, usually because libtorch " +
                    $"(libtorch.so, libc10.so) is not installed. {InstallHint} Loader said: {e.Message}");
            }
        }
        throw new TorchNotInstalledException(
            $"The Mnist.Torch native shim ({file}) is not next to {assembly.GetName().Name}.dll: it is built with " +
            $"src/Torch when libtorch is installed. {InstallHint}");
    }
}
