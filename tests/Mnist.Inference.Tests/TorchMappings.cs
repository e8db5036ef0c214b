using System;
using System.IO;
using System.Linq;

namespace Mnist.Inference.Tests;

/// <summary>
/// The files of a torch runtime in a process's memory map (/proc/PID/maps): libtorch's libraries (libtorch*.so,
/// libc10.so), TorchSharp's native library (libLibTorchSharp.so) and its managed assembly (TorchSharp.dll, which
/// the runtime maps like any assembly it loads).
/// </summary>
public static class TorchMappings
{
    public static string[] In(string maps) =>
        maps.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? "")
            .Select(Path.GetFileName)
            .Where(TorchMappings.IsTorchFile)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray()!;

    public static bool IsTorchFile(string? file) =>
        file is not null &&
        (file.StartsWith("libtorch", StringComparison.Ordinal) || file.StartsWith("libc10", StringComparison.Ordinal)
         || file.StartsWith("libLibTorchSharp", StringComparison.Ordinal) || file.Equals("TorchSharp.dll", StringComparison.Ordinal));
}
