using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Tests.Consumer;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Package.Tests;

/// <summary>
/// The trainer as a package: a fresh project with only Mnist.Dsl and Mnist.Dsl.Training from a local feed (TorchSharp
/// and libtorch come with the latter) and a one-line Program builds with every warning an error, lists its own
/// network and trains it one epoch on a subset of MNIST, writing its run folder.
/// </summary>
public sealed class TrainingPackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    private const string Program = """
        using Mnist.Dsl;

        return Mnist.Dsl.Training.MnistTrainer.Run(args);

        [Network(1, 28, 28, Name = "tiny", Description = "a consumer's own network")]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(16, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class TinyNet;
        """;

    private readonly DirectoryInfo work = Directory.CreateTempSubdirectory("mnist-dsl-training-consumer-");

    public void Dispose() => work.Delete(recursive: true);

    [Fact]
    public void A_project_with_the_two_packages_and_one_line_lists_and_trains_its_own_network()
    {
        var feed = Path.Combine(work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(LocalPackage.PackTraining(feed)))
        {
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var file in new[] { "lib/net10.0/Mnist.Dsl.Training.dll", "lib/net10.0/Mnist.Dsl.Engine.dll", "lib/net10.0/Mnist.Plots.dll", "README.md" })
                Assert.Contains(file, files);
        }

        var app = Directory.CreateDirectory(Path.Combine(work.FullName, "app")).FullName;
        LocalPackage.WriteNuGetConfig(app, feed);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(work.FullName, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mnist.Dsl" Version="{version}" />
                <PackageReference Include="Mnist.Dsl.Training" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        Dotnet.Run(app, "build", "-c", "Release", "-o", "out", "-warnaserror");
        var listed = Dotnet.Run(app, "out/App.dll", "list");
        Assert.Matches(@"^tiny\s+3,818 parameters\s+RF\s+28\s+a consumer's own network", listed.Output.Trim());

        var trained = Dotnet.Run(app, "out/App.dll", "train", "--epochs", "1", "--train-limit", "512", "--test-limit", "200", "--batch-size", "32", "--output", "run");
        output.WriteLine(trained.Output);
        Assert.Contains("Training tiny for 1 epochs", trained.Output);
        Assert.Matches(@"Test set: Average loss: \d+\.\d{4}, Accuracy: \d+/200", trained.Output);
        foreach (var file in new[] { "settings.json", "metrics.csv", "plot.svg", "best.safetensors", "checkpoint.safetensors" })
            Assert.True(File.Exists(Path.Combine(app, "run", file)), $"{file} is missing from the run folder");
    }
}
