using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Testing;

/// <summary>The DSL declarations of src/Samples/Mnist.Models, read as source, so tests see exactly what users build.</summary>
internal static class SampleNetworks
{
    public static string Folder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "src", "Samples", "Mnist.Models"));

    /// <summary>(type name, source) of every file in the models folder that declares a [Network].</summary>
    public static IReadOnlyList<(string Name, string Source)> All() =>
        Directory.GetFiles(Folder(), "*.cs")
            .Select(path => (Name: Path.GetFileNameWithoutExtension(path), Source: File.ReadAllText(path)))
            .Where(f => f.Source.Contains("[Network("))
            .OrderBy(f => f.Name, System.StringComparer.Ordinal)
            .ToArray();

    public static IEnumerable<object[]> Names() => All().Select(n => new object[] { n.Name });

    public static string Source(string name) => All().Single(n => n.Name == name).Source;
}
