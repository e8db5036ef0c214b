using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The Mnist.Dsl package as a user gets it: packed from this build, restored from a local folder into an empty
/// package cache by a project outside the repository, which then sees the generated type (its numbers equal the
/// layer algebra's) and gets the budget error when MnistDslParameterBudget, set through the package's build
/// props, is too small.
/// </summary>
public sealed class PackageConsumerTests : IDisposable
{
    private const string Declaration = """
        using Mnist.Dsl;

        System.Console.WriteLine($"parameters={TinyNet.ParameterCount} rf={TinyNet.ReceptiveField}");
        System.Console.Write(TinyNet.Summary.ToTable());

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(16, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class TinyNet;
        """;

    /// <summary>The same network as data, for the numbers the consumer must print.</summary>
    private static readonly NetworkDefinition TinyNet = new("TinyNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(8, 3), new ReLU(), new BatchNorm2d(), new Dropout(0.05),
        new Conv2d(16, 3), new ReLU(), new BatchNorm2d(), new MaxPool2d(2),
        new Conv2d(16, 3), new ReLU(), new BatchNorm2d(),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("mnist-dsl-consumer-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void A_project_referencing_the_package_gets_the_generated_type_and_the_budget_error()
    {
        var feed = Path.Combine(work.FullName, "feed");
        Run(RepoRoot(), "pack", "src/Package", "-c", Configuration, "--no-build", "-o", feed);
        var package = Assert.Single(Directory.GetFiles(feed, "Mnist.Dsl.*.nupkg"));
        var version = Path.GetFileNameWithoutExtension(package)["Mnist.Dsl.".Length..];
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var file in new[]
            {
                "lib/netstandard2.0/Mnist.Dsl.dll", "lib/netstandard2.0/Mnist.Dsl.xml",
                "analyzers/dotnet/cs/Mnist.Dsl.dll", "analyzers/dotnet/cs/Mnist.Dsl.Generator.dll",
                "analyzers/dotnet/cs/Mnist.Dsl.Analyzers.dll", "analyzers/dotnet/cs/Mnist.Dsl.CodeFixes.dll",
                "build/Mnist.Dsl.props", "buildTransitive/Mnist.Dsl.props",
            })
                Assert.Contains(file, files);
        }

        var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
        // Only the local feed, and a package cache of its own: nothing is taken from an earlier restore.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <configuration>
              <packageSources><clear /><add key="local" value="{feed}" /></packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(work.FullName, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup><PackageReference Include="Mnist.Dsl" Version="{version}" /></ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Declaration);

        // Generated code must compile clean: any warning fails this build.
        Run(app, "build", "-c", "Release", "-o", "out", "-warnaserror");
        var ran = Run(app, "out/App.dll");
        var expected = NetworkAnalysis.Analyze(TinyNet).Summary!;
        Assert.Equal($"parameters={expected.TotalParameters} rf={expected.ReceptiveField}\n{expected.ToTable()}", ran.Output.ReplaceLineEndings("\n"));

        var overBudget = Run(app, expectSuccess: false, "build", "-c", "Release", "-o", "out", "-p:MnistDslParameterBudget=3000");
        Assert.NotEqual(0, overBudget.ExitCode);
        Assert.Contains($"error MNIST0001: TinyNet has {expected.TotalParameters:N0} parameters, {expected.TotalParameters - 2999:N0} too many for its budget of fewer than 3,000", overBudget.Output);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    private static (int ExitCode, string Output) Run(string folder, params string[] args) => Run(folder, expectSuccess: true, args);

    private static (int ExitCode, string Output) Run(string folder, bool expectSuccess, params string[] args)
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
