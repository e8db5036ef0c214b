using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection.PortableExecutable;
using System.Text.Json;

namespace Mnist.Dsl.Package.Tests;

/// <summary>What a restore and a build bring that is not managed code, and how much they weigh.</summary>
internal static class NativeAssets
{
    /// <summary>"package/version: file" for every native or runtime-specific asset the restore resolved (project.assets.json's targets).</summary>
    public static IReadOnlyList<string> InAssets(string assetsFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(assetsFile));
        var found = new List<string>();
        foreach (var target in document.RootElement.GetProperty("targets").EnumerateObject())
            foreach (var library in target.Value.EnumerateObject())
                foreach (var kind in new[] { "native", "runtimeTargets" })
                    if (library.Value.TryGetProperty(kind, out var assets))
                        found.AddRange(assets.EnumerateObject().Select(a => $"{library.Name}: {a.Name}"));
        return found;
    }

    /// <summary>Files of a build output that are not managed: anything under runtimes/, shared objects, and executables or DLLs without metadata.</summary>
    public static IReadOnlyList<string> InFolder(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetRelativePath(folder, f).StartsWith("runtimes", StringComparison.Ordinal) || IsNative(f))
            .Select(f => Path.GetRelativePath(folder, f)).ToList();

    private static bool IsNative(string file)
    {
        var name = Path.GetFileName(file);
        if (name.EndsWith(".so", StringComparison.Ordinal) || name.Contains(".so.", StringComparison.Ordinal) || name.EndsWith(".dylib", StringComparison.Ordinal)) return true;
        if (!name.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)) return false;
        using var stream = File.OpenRead(file);
        using var pe = new PEReader(stream);
        return !pe.HasMetadata;
    }

    /// <summary>The restore's packages (.nupkg bytes and unpacked bytes, wherever each was found) and the build output's size, as one line.</summary>
    public static string Sizes(string assetsFile, string output)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(assetsFile));
        var folders = document.RootElement.GetProperty("packageFolders").EnumerateObject().Select(f => f.Name).ToList();
        long packed = 0, unpacked = 0;
        var count = 0;
        foreach (var library in document.RootElement.GetProperty("libraries").EnumerateObject())
        {
            if (library.Value.GetProperty("type").GetString() != "package") continue;
            var path = library.Value.GetProperty("path").GetString()!;
            var folder = folders.Select(f => Path.Combine(f, path)).FirstOrDefault(Directory.Exists);
            if (folder is null) continue;
            count++;
            var files = Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToList();
            packed += files.Where(f => f.EndsWith(".nupkg", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
            unpacked += files.Where(f => !f.EndsWith(".nupkg", StringComparison.Ordinal)).Sum(f => new FileInfo(f).Length);
        }
        var bin = Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        return string.Format(CultureInfo.InvariantCulture, "restore: {0} packages, {1:F1} MB of .nupkg, {2:F1} MB unpacked; build output {3:F1} MB",
            count, packed / 1e6, unpacked / 1e6, bin / 1e6);
    }
}
