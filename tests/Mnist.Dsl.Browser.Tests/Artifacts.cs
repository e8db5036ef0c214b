using System.IO;
using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Browser.Tests;

/// <summary>Where the tests leave their screenshots for people to look at: artifacts/browser/ in the repository (ignored by git).</summary>
internal static class Artifacts
{
    public static string Folder([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", "artifacts", "browser"));
}
