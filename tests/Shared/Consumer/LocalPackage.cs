using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Tests.Consumer;

/// <summary>
/// The Mnist.Dsl package as a user gets it, for tests that build a project outside the repository: packed from this
/// build into a folder feed, and a nuget.config that restores Mnist.Dsl from that feed alone into a package cache of the
/// project's own (so nothing comes from an earlier restore of the same version), with the machine's package folder as a
/// fallback for the large packages (TorchSharp, libtorch) this test project's own restore already put there.
/// </summary>
internal static class LocalPackage
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    /// <summary>Packs src/Package (already built with this test project) into <paramref name="feed"/>; returns the nupkg and its version.</summary>
    public static (string Path, string Version) Pack(string feed)
    {
        // The nuspec goes next to the feed instead of src/Package/obj: test classes and test projects that pack at the
        // same time would otherwise write the same file.
        var nuspecFolder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(feed))!, "nuspec") + System.IO.Path.DirectorySeparatorChar;
        Dotnet.Run(RepoRoot(), "pack", "src/Package", "-c", Configuration, "--no-build", "-o", feed, "-p:NuspecOutputPath=" + nuspecFolder);
        var package = Directory.GetFiles(feed, "Mnist.Dsl.*.nupkg").Single();
        return (package, System.IO.Path.GetFileNameWithoutExtension(package)["Mnist.Dsl.".Length..]);
    }

    /// <summary>Packs src/Training (Mnist.Dsl.Training, the trainer library; built with this test project) into <paramref name="feed"/>; returns the nupkg.</summary>
    public static string PackTraining(string feed)
    {
        var nuspecFolder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(feed))!, "nuspec-training") + System.IO.Path.DirectorySeparatorChar;
        Dotnet.Run(RepoRoot(), "pack", "src/Training", "-c", Configuration, "--no-build", "-o", feed, "-p:NuspecOutputPath=" + nuspecFolder);
        return Directory.GetFiles(feed, "Mnist.Dsl.Training.*.nupkg").Single();
    }

    /// <summary>Packs src/TorchSharp (Mnist.Dsl.TorchSharp, the opt-in backend; built with this test project) into <paramref name="feed"/>; returns the nupkg.</summary>
    public static string PackTorchSharp(string feed)
    {
        var nuspecFolder = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(feed))!, "nuspec-torchsharp") + System.IO.Path.DirectorySeparatorChar;
        Dotnet.Run(RepoRoot(), "pack", "src/TorchSharp", "-c", Configuration, "--no-build", "-o", feed, "-p:NuspecOutputPath=" + nuspecFolder);
        return Directory.GetFiles(feed, "Mnist.Dsl.TorchSharp.*.nupkg").Single();
    }

    /// <summary>Writes <paramref name="project"/>/nuget.config: <paramref name="feed"/> the only source, the machine's packages a fallback.</summary>
    public static void WriteNuGetConfig(string project, string feed) =>
        File.WriteAllText(System.IO.Path.Combine(project, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
              <fallbackPackageFolders><clear /><add key="machine" value="{MachinePackageFolder()}" /></fallbackPackageFolders>
            </configuration>
            """);

    /// <summary>The version Directory.Packages.props pins, so a consumer uses what the repository tests with.</summary>
    public static string PinnedVersion(string package)
    {
        var props = System.Xml.Linq.XDocument.Load(System.IO.Path.Combine(RepoRoot(), "Directory.Packages.props"));
        return props.Descendants("PackageVersion").Single(e => (string?)e.Attribute("Include") == package).Attribute("Version")!.Value;
    }

    /// <summary>NuGet's global packages folder: $NUGET_PACKAGES, else ~/.nuget/packages.</summary>
    public static string MachinePackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    public static string RepoRoot([CallerFilePath] string here = "") =>
        System.IO.Path.GetFullPath(System.IO.Path.Combine(System.IO.Path.GetDirectoryName(here)!, "..", "..", ".."));
}

/// <summary>Runs the dotnet CLI as a user would, outside the test host's MSBuild environment.</summary>
internal static class Dotnet
{
    public static (int ExitCode, string Output) Run(string folder, params string[] args) => Run(folder, expectSuccess: true, args);

    public static (int ExitCode, string Output) Run(string folder, bool expectSuccess, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // No build servers: a compiler server left running would keep this test's output pipes open.
        if (args[0] is "build" or "pack") start.ArgumentList.Add("--disable-build-servers");
        CleanEnvironment(start);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var output = stdout + stderr.Result;
        if (expectSuccess && process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed with exit code {process.ExitCode} in {folder}:\n{output}");
        return (process.ExitCode, output);
    }

    /// <summary>
    /// The test host runs under `dotnet test`, whose MSBuild variables would steer a nested build (or a language
    /// server's MSBuild workspace) to the test's own SDK settings instead of the project's.
    /// </summary>
    public static void CleanEnvironment(ProcessStartInfo start)
    {
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
    }
}
