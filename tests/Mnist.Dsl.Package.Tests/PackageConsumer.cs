using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Package.Tests;

/// <summary>What the package tests share: the repository, its packs, a consumer's nuget.config, and running dotnet.</summary>
internal static class PackageConsumer
{
    /// <summary>
    /// A nuget.config for a consumer: Mnist.Dsl's packages come only from the local feed (into the consumer's own package
    /// cache, so nothing is taken from an earlier restore of the same version); TorchSharp and libtorch (600 MB) are read
    /// in place from the machine's package folder, where this test project's own restore put them, as a fallback folder.
    /// </summary>
    public static void WriteNugetConfig(string app, string feed) =>
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
              <fallbackPackageFolders><clear /><add key="machine" value="{MachinePackageFolder()}" /></fallbackPackageFolders>
            </configuration>
            """);

    /// <summary>NuGet's global packages folder: $NUGET_PACKAGES, else ~/.nuget/packages.</summary>
    public static string MachinePackageFolder() =>
        Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    public static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    public static (int ExitCode, string Output) Run(string folder, params string[] args) => Run(folder, expectSuccess: true, args);

    public static (int ExitCode, string Output) Run(string folder, bool expectSuccess, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) start.ArgumentList.Add(a);
        // No build servers: a compiler server left running would keep this test's output pipes open.
        if (args[0] is "build" or "pack") start.ArgumentList.Add("--disable-build-servers");
        // The test host runs under `dotnet test`, whose MSBuild variables would steer the nested build.
        foreach (var key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(key);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var output = stdout + stderr.Result;
        if (expectSuccess && process.ExitCode != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} failed with exit code {process.ExitCode} in {folder}:\n{output}");
        return (process.ExitCode, output);
    }
}
