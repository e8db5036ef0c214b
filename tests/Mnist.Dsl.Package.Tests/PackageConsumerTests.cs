using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Tests.Consumer;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Package.Tests;

/// <summary>
/// The Mnist.Dsl package as a user gets it: packed from this build, restored from a local folder into an empty
/// package cache by a project outside the repository that references only Mnist.Dsl, the TorchSharp backend
/// (Mnist.Dsl.TorchSharp, which brings TorchSharp) and libtorch-cpu-linux-x64. The project sees the generated type (its numbers equal the layer algebra's), trains
/// the generated TorchSharp module for a few SGD steps on one batch (the loss is finite and falls), and gets the
/// budget error when MnistDslParameterBudget, set through the package's build props, is too small. Nothing is
/// done to the machine first: on Debian 12 TorchSharp's native library loads only because the package's
/// Mnist.Dsl.TorchSharp package's build/Mnist.Dsl.TorchSharp.targets patches the copy in the build output.
/// </summary>
public sealed class PackageConsumerTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 5;

    private const string Declaration = """
        using System;
        using System.Linq;
        using Mnist.Dsl;
        using TorchSharp;
        using static TorchSharp.torch;

        // The inference class is emitted only where Mnist.Dsl has its kernels (lib/net8.0): this line does not compile otherwise.
        _ = typeof(TinyNetInference);
        Console.WriteLine($"parameters={TinyNet.ParameterCount} rf={TinyNet.ReceptiveField}");
        Console.WriteLine(TinyNet.Summary.ToTable());

        // A few SGD steps on one fixed batch, as a training loop makes them: the loss must fall.
        manual_seed(1);
        using var model = new TinyNet();
        var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        using var images = randn(32, 1, 28, 28);
        using var labels = tensor(Enumerable.Range(0, 32).Select(i => (long)(i % 10)).ToArray());
        model.train();
        for (var step = 1; step <= STEPS; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var loss = nn.functional.nll_loss(model.forward(images), labels);
            loss.backward();
            optimizer.step();
            Console.WriteLine(FormattableString.Invariant($"step {step} loss {loss.item<float>():R}"));
        }

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

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-dsl-consumer-");

    public void Dispose() => _work.Delete(recursive: true);

    [Fact]
    public void A_project_referencing_the_package_and_TorchSharp_builds_trains_and_gets_the_budget_error()
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var (package, version) = LocalPackage.Pack(feed);
        LocalPackage.PackTraining(feed);
        var backend = LocalPackage.PackTorchSharp(feed);
        using (var zip = System.IO.Compression.ZipFile.OpenRead(backend))
        {
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var file in new[]
            {
                "lib/net10.0/Mnist.Dsl.TorchSharp.dll", "README.md",
                "build/Mnist.Dsl.TorchSharp.targets", "buildTransitive/Mnist.Dsl.TorchSharp.targets",
                "build/LibTorchSharpOnOlderLibstdcxx.cs", "buildTransitive/LibTorchSharpOnOlderLibstdcxx.cs",
            })
                Assert.Contains(file, files);
        }
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            var files = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (var file in new[]
            {
                "lib/netstandard2.0/Mnist.Dsl.dll", "lib/netstandard2.0/Mnist.Dsl.xml",
                "lib/net8.0/Mnist.Dsl.dll", "lib/net8.0/Mnist.Dsl.xml",
                "analyzers/dotnet/cs/Mnist.Dsl.dll", "analyzers/dotnet/cs/Mnist.Dsl.Generator.dll",
                "analyzers/dotnet/cs/Mnist.Dsl.Analyzers.dll", "analyzers/dotnet/cs/Mnist.Dsl.CodeFixes.dll",
                "build/Mnist.Dsl.props", "buildTransitive/Mnist.Dsl.props",
                "build/Mnist.Dsl.targets", "buildTransitive/Mnist.Dsl.targets",
                "tasks/net10.0/Mnist.Dsl.FSharpCheck.dll", "tasks/net10.0/Mnist.Dsl.dll", "tasks/net10.0/Microsoft.CodeAnalysis.dll",
            })
                Assert.Contains(file, files);
            // The F# check is not an analyzer: the compiler must not try to load it.
            Assert.DoesNotContain("analyzers/dotnet/cs/Mnist.Dsl.FSharpCheck.dll", files);
            // The libstdc++ patch for TorchSharp's native library belongs to the TorchSharp backend's package.
            Assert.DoesNotContain(files, f => f.Contains("LibTorchSharp", StringComparison.Ordinal));
        }

        var app = Directory.CreateDirectory(Path.Combine(_work.FullName, "app")).FullName;
        // TorchSharp and libtorch (600 MB) are read in place from the machine's package folder (LocalPackage).
        LocalPackage.WriteNuGetConfig(app, feed);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mnist.Dsl" Version="{version}" />
                <PackageReference Include="Mnist.Dsl.TorchSharp" Version="{version}" />
                <PackageReference Include="libtorch-cpu-linux-x64" Version="{LocalPackage.PinnedVersion("libtorch-cpu-linux-x64")}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Declaration.Replace("STEPS", Steps.ToString(CultureInfo.InvariantCulture)));

        // Generated code must compile clean: any warning fails this build.
        Dotnet.Run(app, "build", "-c", "Release", "-o", "out", "-warnaserror");
        Assert.False(Directory.Exists(Path.Combine(_work.FullName, "packages", "torchsharp")), "TorchSharp was copied into the fresh cache instead of read from the fallback folder");
        var ran = Dotnet.Run(app, "out/App.dll");
        output.WriteLine(ran.Output);
        var lines = ran.Output.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var expected = NetworkAnalysis.Analyze(TinyNet).Summary!;
        var header = $"parameters={expected.TotalParameters} rf={expected.ReceptiveField}\n{expected.ToTable()}".ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join("\n", header), string.Join("\n", lines.Take(header.Length)));
        var losses = lines.Skip(header.Length).Select(Loss).ToArray();
        Assert.Equal(Steps, losses.Length);
        Assert.All(losses, l => Assert.True(double.IsFinite(l) && l > 0, $"loss {l} in:\n{ran.Output}"));
        Assert.True(losses[^1] < losses[0], $"the loss did not fall over {Steps} steps:\n{ran.Output}");

        var overBudget = Dotnet.Run(app, expectSuccess: false, "build", "-c", "Release", "-o", "out", "-p:MnistDslParameterBudget=3000");
        Assert.NotEqual(0, overBudget.ExitCode);
        Assert.Contains($"error MNIST0001: TinyNet has {expected.TotalParameters:N0} parameters, {expected.TotalParameters - 2999:N0} too many for its budget of fewer than 3,000", overBudget.Output);
    }

    /// <summary>"step 3 loss 2.1" -> 2.1; any other line fails with the output.</summary>
    private static double Loss(string line, int index)
    {
        var prefix = $"step {index + 1} loss ";
        Assert.StartsWith(prefix, line);
        return double.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
    }
}
