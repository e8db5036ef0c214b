using System;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace Mnist.Tests.Shared;

/// <summary>
/// Files of the packages the running test project was restored with, found where that restore put them: its
/// obj/project.assets.json names the package folder ($NUGET_PACKAGES, a CI cache, ~/.nuget/packages...) and each
/// package's path in it. Never a spelled-out ~/.nuget/packages.
/// </summary>
internal static class RestoredPackages
{
    /// <summary>A file of the restored <paramref name="package"/> (any version the restore chose), by its path inside the package.</summary>
    public static string File(string package, params string[] pathInPackage)
    {
        var assets = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "obj", "project.assets.json"));
        if (!System.IO.File.Exists(assets)) throw new InvalidOperationException($"{assets} is missing: restore the test project first.");
        using var document = JsonDocument.Parse(System.IO.File.ReadAllText(assets));
        var root = document.RootElement;
        var folder = root.GetProperty("packageFolders").EnumerateObject().First().Name;
        var library = root.GetProperty("libraries").EnumerateObject()
            .FirstOrDefault(l => l.Name.StartsWith(package + "/", StringComparison.OrdinalIgnoreCase));
        if (library.Value.ValueKind == JsonValueKind.Undefined) throw new InvalidOperationException($"{assets} restored no package {package}.");
        return Path.Combine(new[] { folder, library.Value.GetProperty("path").GetString()! }.Concat(pathInPackage).ToArray());
    }
}
