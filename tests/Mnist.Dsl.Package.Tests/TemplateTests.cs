using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Mnist.Dsl.Tests.Consumer;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Package.Tests;

/// <summary>
/// `dotnet new mnist-dsl` as a new user meets it, with only this build's packages (Mnist.Dsl, Mnist.Dsl.Training,
/// Mnist.Dsl.TorchSharp and the template, from a folder feed into an empty package cache): by default no package with
/// native assets and no native file in bin; the project builds with every warning an error, a network pushed over the
/// budget fails the build with MNIST0001's text, the fix builds again, and the one-line trainer lists the network,
/// trains it one epoch on a subset of MNIST and evaluates its best weights. With --torchsharp, the same on libtorch.
/// </summary>
public sealed class TemplateTests(ITestOutputHelper output) : IDisposable
{
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-dsl-template-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_project_from_the_template_builds_warning_free_fails_over_budget_and_trains_with_one_line()
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(LocalPackage.PackTraining(feed)))
        {
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var file in new[] { "lib/net10.0/Mnist.Dsl.Training.dll", "lib/net10.0/Mnist.Dsl.Engine.dll", "lib/net10.0/Mnist.Plots.dll", "README.md" })
                Assert.Contains(file, files);
        }
        var template = PackTemplate(feed);

        // The template's package references name this build's version, so a new user restores what was tested.
        var hive = Path.Combine(_work.FullName, "hive");
        Dotnet.Run(_work.FullName, "new", "install", template, "--debug:custom-hive", hive);
        Dotnet.Run(_work.FullName, "new", "mnist-dsl", "-n", "MyNets", "-o", "MyNets", "--debug:custom-hive", hive);
        var app = Path.Combine(_work.FullName, "MyNets");
        var project = File.ReadAllText(Path.Combine(app, "MyNets.csproj"));
        Assert.Contains($"""<PackageReference Include="Mnist.Dsl" Version="{version}" />""", project);
        Assert.Contains($"""<PackageReference Include="Mnist.Dsl.Training" Version="{version}" />""", project);
        Assert.Equal("return Mnist.Dsl.Training.MnistTrainer.Run(args);", File.ReadLines(Path.Combine(app, "Program.cs")).Single(l => !l.StartsWith("//", StringComparison.Ordinal) && l.Length > 0));

        LocalPackage.WriteNuGetConfig(app, feed);
        // An empty package cache of the test's own, set from outside the project so the template's files stay as a user gets them.
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Build.props"), $"""
            <Project><PropertyGroup><RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath></PropertyGroup></Project>
            """);

        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-p:AnalysisLevel=latest-all");

        var network = Path.Combine(app, "MyNet.cs");
        var declared = File.ReadAllText(network);
        const string last = "[Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d]";
        Assert.Contains(last, declared);
        File.WriteAllText(network, declared.Replace(last, "[Conv2d(64, 3, Bias = false), ReLU, BatchNorm2d]", StringComparison.Ordinal));
        var overBudget = Dotnet.Run(app, expectSuccess: false, "build", "-c", "Release");
        Assert.NotEqual(0, overBudget.ExitCode);
        Assert.Matches(@"MyNet\.cs\(\d+,\d+\): error MNIST0001: MyNet has [\d,]+ parameters, [\d,]+ too many for its budget of fewer than 20,000", overBudget.Output);

        File.WriteAllText(network, declared);
        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-o", "out");
        var listed = Dotnet.Run(app, "out/MyNets.dll", "list").Output.Trim();
        var parameters = Regex.Match(listed, @"^mynet\s+([\d,]+) parameters\s+RF\s+\d+\s+my first network");
        Assert.True(parameters.Success, listed);
        Assert.InRange(int.Parse(parameters.Groups[1].Value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), 1, 19_999);

        var trained = Dotnet.Run(app, "out/MyNets.dll", "train", "--epochs", "1", "--train-limit", "1024", "--test-limit", "200", "--batch-size", "32", "--output", "run");
        output.WriteLine(trained.Output);
        Assert.Contains("Training mynet for 1 epochs", trained.Output);
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", trained.Output);
        foreach (var file in new[] { "settings.json", "metrics.csv", "plot.svg", "best.safetensors", "checkpoint.safetensors" })
            Assert.True(File.Exists(Path.Combine(app, "run", file)), $"{file} is missing from the run folder");
        var evaluated = Dotnet.Run(app, "out/MyNets.dll", "eval", "mynet", "--weights", "run/best.safetensors", "--test-limit", "200");
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", evaluated.Output);

        // Native-free: no restored package brings native assets, and the build output holds managed assemblies only.
        Assert.Equal(Array.Empty<string>(), NativeAssets.InAssets(Path.Combine(app, "obj", "project.assets.json")));
        Assert.Equal(Array.Empty<string>(), NativeAssets.InFolder(Path.Combine(app, "out")));
        var refused = Dotnet.Run(app, expectSuccess: false, "out/MyNets.dll", "train", "--engine", "torch", "--epochs", "1");
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("add the packages Mnist.Dsl.TorchSharp and TorchSharp-cpu", refused.Output);
        output.WriteLine(NativeAssets.Sizes(Path.Combine(app, "obj", "project.assets.json"), Path.Combine(app, "out")));
    }

    [Fact]
    public void With_the_torchsharp_option_the_project_trains_and_evaluates_on_libtorch()
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        LocalPackage.PackTraining(feed);
        LocalPackage.PackTorchSharp(feed);
        var template = PackTemplate(feed);
        var hive = Path.Combine(_work.FullName, "hive");
        Dotnet.Run(_work.FullName, "new", "install", template, "--debug:custom-hive", hive);

        // The default native package is TorchSharp-cpu, at the version this repository pins.
        Dotnet.Run(_work.FullName, "new", "mnist-dsl", "-n", "AllNets", "-o", "AllNets", "--torchsharp", "--debug:custom-hive", hive);
        var all = File.ReadAllText(Path.Combine(_work.FullName, "AllNets", "AllNets.csproj"));
        Assert.Contains($"""<PackageReference Include="Mnist.Dsl.TorchSharp" Version="{version}" />""", all);
        Assert.Contains($"""<PackageReference Include="TorchSharp-cpu" Version="{LocalPackage.PinnedVersion("TorchSharp-cpu")}" />""", all);

        // Trained here with Linux's libtorch alone (--libtorch linux-x64: TorchSharp-cpu would download macOS and Windows too).
        Dotnet.Run(_work.FullName, "new", "mnist-dsl", "-n", "TorchNets", "-o", "TorchNets", "--torchsharp", "--libtorch", "linux-x64", "--debug:custom-hive", hive);
        var app = Path.Combine(_work.FullName, "TorchNets");
        var project = File.ReadAllText(Path.Combine(app, "TorchNets.csproj"));
        Assert.Contains($"""<PackageReference Include="libtorch-cpu-linux-x64" Version="{LocalPackage.PinnedVersion("libtorch-cpu-linux-x64")}" />""", project);
        Assert.DoesNotContain("TorchSharp-cpu", project);
        LocalPackage.WriteNuGetConfig(app, feed);
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Build.props"), $"""
            <Project><PropertyGroup><RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath></PropertyGroup></Project>
            """);
        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-o", "out");
        var trained = Dotnet.Run(app, "out/TorchNets.dll", "train", "--engine", "torch", "--epochs", "1", "--train-limit", "1024", "--test-limit", "200", "--batch-size", "32", "--output", "run");
        output.WriteLine(trained.Output);
        Assert.Contains("engine torch", trained.Output);
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", trained.Output);
        var evaluated = Dotnet.Run(app, "out/TorchNets.dll", "eval", "mynet", "--weights", "run/best.safetensors", "--test-limit", "200", "--engine", "torch");
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", evaluated.Output);
    }

    /// <summary>
    /// `dotnet new mnist-dsl -lang F#`: the F# project builds with the package's build step checking its network, a network
    /// pushed over the budget fails the build with the C# analyzer's MNIST0001 text at MyNet.fs's [&lt;Network&gt;] line, a
    /// project budget or an .editorconfig budget that admits it holds at run time too, the fix builds again, and MnistTrainer.Run argv finds the attributed class, lists it and trains it on the engine with no
    /// native file in the output.
    /// </summary>
    [Fact]
    public void An_FSharp_project_from_the_template_fails_over_budget_at_the_network_and_trains_on_the_engine()
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        LocalPackage.PackTraining(feed);
        var template = PackTemplate(feed);
        var hive = Path.Combine(_work.FullName, "hive");
        Dotnet.Run(_work.FullName, "new", "install", template, "--debug:custom-hive", hive);
        Dotnet.Run(_work.FullName, "new", "mnist-dsl", "-lang", "F#", "-n", "MyNets", "-o", "MyNets", "--debug:custom-hive", hive);
        var app = Path.Combine(_work.FullName, "MyNets");
        Assert.False(File.Exists(Path.Combine(app, "MyNets.csproj")), "-lang F# made the C# project");
        var project = File.ReadAllText(Path.Combine(app, "MyNets.fsproj"));
        Assert.Contains($"""<PackageReference Include="Mnist.Dsl" Version="{version}" />""", project);
        Assert.Contains($"""<PackageReference Include="Mnist.Dsl.Training" Version="{version}" />""", project);
        Assert.Contains("let main argv = Mnist.Dsl.Training.MnistTrainer.Run argv", File.ReadAllText(Path.Combine(app, "Program.fs")));

        LocalPackage.WriteNuGetConfig(app, feed);
        File.WriteAllText(Path.Combine(_work.FullName, "Directory.Build.props"), $"""
            <Project><PropertyGroup><RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath></PropertyGroup></Project>
            """);

        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror");

        var network = Path.Combine(app, "MyNet.fs");
        var declared = File.ReadAllText(network);
        const string last = "[<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]";
        Assert.Contains(last, declared);
        var networkLine = Array.FindIndex(File.ReadAllLines(network), l => l.StartsWith("[<Network(", StringComparison.Ordinal)) + 1;
        File.WriteAllText(network, declared.Replace(last, "[<Conv2d(64, 3, Bias = false); ReLU; BatchNorm2d>]", StringComparison.Ordinal));
        var overBudget = Dotnet.Run(app, expectSuccess: false, "build", "-c", "Release");
        Assert.NotEqual(0, overBudget.ExitCode);
        output.WriteLine(overBudget.Output);
        // The README's C# example, word for word, at the F# [<Network>] line: the package's build step ran.
        Assert.Matches($@"MyNet\.fs\({networkLine},\d+\): error MNIST0001: MyNet has 23,834 parameters, 3,835 too many for its budget of fewer than 20,000", overBudget.Output);

        // A project budget that admits it: the build passes, and the program registers it under that budget (the build
        // keeps it in the assembly's metadata), so the run does not refuse what the build accepted.
        var projectFile = Path.Combine(app, "MyNets.fsproj");
        File.WriteAllText(projectFile, project.Replace("<MnistDslParameterBudget>20000<", "<MnistDslParameterBudget>25000<", StringComparison.Ordinal));
        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-o", "wide");
        Assert.Matches(@"^mynet\s+23,834 parameters", Dotnet.Run(app, "wide/MyNets.dll", "list").Output.Trim());
        File.WriteAllText(projectFile, project);

        // The same budget from .editorconfig for MyNet.fs, the project's back at 20,000: admitted at build and at run time
        // (the build resolves it as the C# analyzer would and keeps it per network in the assembly's metadata).
        var editorConfig = Path.Combine(app, ".editorconfig");
        File.WriteAllText(editorConfig, "root = true\n\n[MyNet.fs]\nmnist_dsl.parameter_budget = 25_000\n");
        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-o", "configured");
        Assert.Matches(@"^mynet\s+23,834 parameters", Dotnet.Run(app, "configured/MyNets.dll", "list").Output.Trim());
        File.Delete(editorConfig);

        File.WriteAllText(network, declared);
        Dotnet.Run(app, "build", "-c", "Release", "-warnaserror", "-o", "out");
        var listed = Dotnet.Run(app, "out/MyNets.dll", "list").Output.Trim();
        Assert.Matches(@"^mynet\s+16,538 parameters\s+RF\s+\d+\s+my first network", listed);

        var trained = Dotnet.Run(app, "out/MyNets.dll", "train", "--epochs", "1", "--train-limit", "1024", "--test-limit", "200", "--batch-size", "32", "--output", "run");
        output.WriteLine(trained.Output);
        Assert.Contains("Training mynet for 1 epochs", trained.Output);
        Assert.Contains("engine generated", trained.Output);
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", trained.Output);
        Assert.True(File.Exists(Path.Combine(app, "run", "best.safetensors")), "best.safetensors is missing from the run folder");

        Assert.Equal(Array.Empty<string>(), NativeAssets.InAssets(Path.Combine(app, "obj", "project.assets.json")));
        Assert.Equal(Array.Empty<string>(), NativeAssets.InFolder(Path.Combine(app, "out")));
    }

    /// <summary>Packs templates/Mnist.Dsl.Templates into <paramref name="feed"/>; returns the nupkg.</summary>
    private static string PackTemplate(string feed)
    {
        var nuspecFolder = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(feed))!, "nuspec-template") + Path.DirectorySeparatorChar;
        Dotnet.Run(RepoRoot(), "pack", "templates/Mnist.Dsl.Templates", "-c", LocalPackage.Configuration, "-o", feed, "-p:NuspecOutputPath=" + nuspecFolder);
        return Directory.GetFiles(feed, "Mnist.Dsl.Templates.*.nupkg").Single();
    }

    private static string RepoRoot([CallerFilePath] string here = "") => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", ".."));
}
