using System;
using System.IO;
using System.Linq;
using System.Text;
using Xunit;

namespace Mnist.Dsl.Training.Tests.Patch;

/// <summary>
/// The build's patch of TorchSharp's libLibTorchSharp.so (src/TorchSharp/build/LibTorchSharpOnOlderLibstdcxx.cs, compiled in
/// here as MSBuild compiles it) on a copy of the package's real library, with a stand-in for the system libstdc++:
/// it patches once, then finds nothing to do; it leaves the library alone where libstdc++ is new enough; and it
/// refuses a library that needs more from GLIBCXX_3.4.32 than the one no-op function it can do without.
/// </summary>
public sealed class LibstdcxxPatchTests : IDisposable
{
    private static readonly string PackageLibrary = Mnist.Tests.Shared.RestoredPackages.File("TorchSharp", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-patch-");

    public void Dispose() => _work.Delete(recursive: true);

    /// <summary>A folder like a build output's natives, holding a copy of the package's library.</summary>
    private string Output(out string library)
    {
        Assert.True(File.Exists(PackageLibrary), $"{PackageLibrary} is missing: restore the solution first");
        var folder = Directory.CreateDirectory(Path.Combine(_work.FullName, "bin", "runtimes", "linux-x64", "native")).FullName;
        library = Path.Combine(folder, "libLibTorchSharp.so");
        File.Copy(PackageLibrary, library);
        return Path.Combine(_work.FullName, "bin");
    }

    /// <summary>A file standing in for the system libstdc++: the patch only looks for the version's name in it.</summary>
    private string Libstdcxx(params string[] versions)
    {
        var path = Path.Combine(_work.FullName, $"libstdc++-{versions.Length}.so.6");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("\x7f" + "ELF\0" + string.Concat(versions.Select(v => v + "\0"))));
        return path;
    }

    private static (bool Succeeded, RecordingBuildEngine Log) Run(string directory, string libstdcxx)
    {
        var engine = new RecordingBuildEngine();
        var task = new PatchLibTorchSharpForOlderLibstdcxx { Directory = directory, SystemLibstdcxx = libstdcxx, BuildEngine = engine };
        return (task.Execute(), engine);
    }

    private static bool Holds(byte[] bytes, string text) => bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("\0" + text + "\0")) >= 0;

    [Fact]
    public void The_first_patch_renames_the_one_symbol_and_the_second_finds_nothing_to_do()
    {
        var output = Output(out var library);
        var old = Libstdcxx("GLIBCXX_3.4.29", "GLIBCXX_3.4.30");
        var original = File.ReadAllBytes(library);
        Assert.True(Holds(original, Glibcxx.Symbol), "the package's library no longer calls std::ios_base_library_init: is the patch still needed?");

        var first = Run(output, old);

        Assert.True(first.Succeeded);
        Assert.Empty(first.Log.Warnings);
        Assert.Contains(first.Log.Messages, m => m.Contains("patched", StringComparison.Ordinal) && m.Contains(library, StringComparison.Ordinal));
        var patched = File.ReadAllBytes(library);
        Assert.Equal(original.Length, patched.Length);
        Assert.False(Holds(patched, Glibcxx.Symbol));
        Assert.True(Holds(patched, Glibcxx.Replacement));
        // Three small edits (the name, its version index, the weak flag), nothing else.
        Assert.InRange(original.Zip(patched).Count(p => p.First != p.Second), 3, Glibcxx.Symbol.Length + 3);
        Assert.Equal(original, File.ReadAllBytes(PackageLibrary)); // the package cache is untouched

        var second = Run(output, old);

        Assert.True(second.Succeeded);
        Assert.Empty(second.Log.Messages);
        Assert.Equal(patched, File.ReadAllBytes(library));
        Assert.Equal(Glibcxx.Outcome.NothingToDo, Glibcxx.Patch(library));
    }

    [Fact]
    public void A_system_libstdcxx_that_has_GLIBCXX_3_4_32_means_no_patch()
    {
        var output = Output(out var library);

        var result = Run(output, Libstdcxx("GLIBCXX_3.4.31", "GLIBCXX_3.4.32", "GLIBCXX_3.4.33"));

        Assert.True(result.Succeeded);
        Assert.Empty(result.Log.Messages);
        Assert.Equal(File.ReadAllBytes(PackageLibrary), File.ReadAllBytes(library));
    }

    [Fact]
    public void A_library_that_needs_another_GLIBCXX_3_4_32_symbol_is_refused_and_left_as_it_is()
    {
        var output = Output(out var library);
        // Rename the one 3.4.32 symbol to a function an older libstdc++ cannot do without: now it is another symbol.
        var bytes = File.ReadAllBytes(library);
        var at = bytes.AsSpan().IndexOf(Encoding.ASCII.GetBytes("\0" + Glibcxx.Symbol + "\0")) + 1;
        const string other = "_ZSt21ios_base_library_initX";
        Encoding.ASCII.GetBytes(other).CopyTo(bytes, at);
        File.WriteAllBytes(library, bytes);

        var direct = Assert.Throws<InvalidDataException>(() => Glibcxx.Patch(library));
        Assert.Contains($"it needs {other} from GLIBCXX_3.4.32", direct.Message);

        var result = Run(output, Libstdcxx("GLIBCXX_3.4.30"));

        Assert.True(result.Succeeded); // a warning, not a failed build: the library simply will not load
        var warning = Assert.Single(result.Log.Warnings);
        Assert.Contains("was left as it is and will not load", warning);
        Assert.Contains(other, warning);
        Assert.Equal(bytes, File.ReadAllBytes(library));
    }
}
