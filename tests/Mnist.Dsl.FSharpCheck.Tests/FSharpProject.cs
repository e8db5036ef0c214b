using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mnist.Dsl.Tests.Consumer;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>One MNIST diagnostic as dotnet build printed it.</summary>
public sealed record BuildDiagnostic(string File, int Line, int Column, string Severity, string Id, string Message);

/// <summary>
/// An F# project in a temporary folder outside the repository (so no repository props apply), referencing this
/// build's Mnist.Dsl.dll and importing src/Dsl/build/Mnist.Dsl.targets with the task from this test's output folder.
/// </summary>
public sealed class FSharpProject : IDisposable
{
    public FSharpProject()
    {
        Folder = Path.Combine(Path.GetTempPath(), "mnist-fsharpcheck-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Folder);
    }

    public string Folder { get; }

    /// <summary>The compiled assembly the build step reads (obj/, which exists even when the step fails the build).</summary>
    public string IntermediateAssembly => Path.Combine(Folder, "obj", LocalPackage.Configuration, "net10.0", "Checked.dll");

    public void Write(string name, string text)
    {
        var path = Path.Combine(Folder, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }

    /// <summary>Writes Checked.fsproj compiling <paramref name="sources"/> in that order, with <paramref name="budget"/> as its MnistDslParameterBudget.</summary>
    public void WriteProject(int budget, params string[] sources)
    {
        var dsl = typeof(Mnist.Dsl.Analysis.NetworkAnalysis).Assembly.Location;
        var task = typeof(CompiledNetworkReader).Assembly.Location;
        var compile = string.Concat(sources.Select(s => $"""<Compile Include="{s}" />"""));
        Write("Checked.fsproj", $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <DisableImplicitFSharpCoreReference>true</DisableImplicitFSharpCoreReference>
                <SatelliteResourceLanguages>en</SatelliteResourceLanguages>
                <MnistDslFSharpCheckAssembly>{task}</MnistDslFSharpCheckAssembly>
                <MnistDslParameterBudget>{budget.ToString("#,0", CultureInfo.InvariantCulture)}</MnistDslParameterBudget>
              </PropertyGroup>
              <ItemGroup>{compile}</ItemGroup>
              <ItemGroup>
                <PackageReference Include="FSharp.Core" Version="{LocalPackage.PinnedVersion("FSharp.Core")}" />
                <Reference Include="Mnist.Dsl" HintPath="{dsl}" />
              </ItemGroup>
              <Import Project="{Path.Combine(RepoRoot(), "src", "Dsl", "build", "Mnist.Dsl.targets")}" />
            </Project>
            """);
    }

    private static string RepoRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));

    public (int ExitCode, string Output) Build(string verbosity = "q") =>
        Dotnet.Run(Folder, expectSuccess: false, "build", "-c", LocalPackage.Configuration, "-nologo", "-v:" + verbosity, "-nodeReuse:false");

    private static readonly Regex Diagnostic = new(@"^\s*(?<file>.+?)\((?<line>\d+),(?<column>\d+)\): (?<severity>error|warning) (?<id>MNIST\d{4}): (?<message>.*) \[[^\]]+\]\s*$", RegexOptions.Multiline);

    /// <summary>The MNIST diagnostics of a build's output, each once (MSBuild repeats them in its summary).</summary>
    public static BuildDiagnostic[] Diagnostics(string output) =>
        Diagnostic.Matches(output).Select(m => new BuildDiagnostic(m.Groups["file"].Value, int.Parse(m.Groups["line"].Value), int.Parse(m.Groups["column"].Value),
            m.Groups["severity"].Value, m.Groups["id"].Value, m.Groups["message"].Value)).Distinct().ToArray();

    /// <summary>1-based line and column of the first <paramref name="marker"/> in <paramref name="text"/>, at <paramref name="offsetInMarker"/> characters into it.</summary>
    public static (int Line, int Column) PositionOf(string text, string marker, int offsetInMarker = 0)
    {
        var index = text.IndexOf(marker, StringComparison.Ordinal) + offsetInMarker;
        var line = text.Take(index).Count(c => c == '\n') + 1;
        return (line, index - text.LastIndexOf('\n', index - 1));
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); }
        catch (IOException) { } // a build node still closing a file: the temp folder is the system's to clean
    }
}
