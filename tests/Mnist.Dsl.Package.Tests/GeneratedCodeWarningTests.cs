using System;
using System.IO;
using System.Linq;
using Mnist.Dsl.Tests.Consumer;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Package.Tests;

/// <summary>
/// Generated code adds no warning to any user project: a class library as `dotnet new classlib` makes it, with the
/// strictest settings a user is likely to turn on (TreatWarningsAsErrors, AnalysisLevel latest-all, which enables
/// every CA rule as a warning, Nullable, GenerateDocumentationFile), builds from the local package, both without a
/// runtime (constants, Summary, inference class and registry only) and with TorchSharp (the module too). The user's
/// own declarations are written to pass those rules, so any warning left is the generator's.
/// </summary>
public sealed class GeneratedCodeWarningTests(ITestOutputHelper output) : IDisposable
{
    private const string Networks = """
        namespace Consumer.Networks;

        using Mnist.Dsl;

        /// <summary>A network of the user's own, documented: the generated comment is merged with this one.</summary>
        [Network(1, 28, 28, Name = "documented")]
        [Conv2d(8, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, MaxPool2d(2)]
        [Conv2d(16, 1), Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class DocumentedNet;

        // Undocumented, internal (sealed, as CA1852 asks of the user's own types), with functional layers and a
        // convolution head whose 10x1x1 map the generated forward flattens.
        [Network(1, 28, 28, Name = "internal", Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.GlobalAvgPool)]
        [Conv2d(8, 3), ReLU(Functional = true), BatchNorm2d, Dropout(0.05), MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Conv2d(10, 1), LogSoftmax(Functional = true)]
        internal sealed partial class InternalNet;
        """;

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-dsl-warnings-");

    public void Dispose() => _work.Delete(recursive: true);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_library_with_every_analysis_rule_and_warnings_as_errors_builds(bool withTorchSharp)
    {
        var feed = Path.Combine(_work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        var project = Directory.CreateDirectory(Path.Combine(_work.FullName, "lib")).FullName;
        LocalPackage.WriteNuGetConfig(project, feed);
        var torch = withTorchSharp
            ? $"""<PackageReference Include="TorchSharp" Version="{LocalPackage.PinnedVersion("TorchSharp")}" />"""
            : "";
        File.WriteAllText(Path.Combine(project, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <AnalysisLevel>latest-all</AnalysisLevel>
                <GenerateDocumentationFile>true</GenerateDocumentationFile>
                <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
                <RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mnist.Dsl" Version="{version}" />
                {torch}
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Networks.cs"), Networks);

        var built = Dotnet.Run(project, expectSuccess: false, "build", "-c", "Release");
        output.WriteLine(built.Output);
        Assert.True(built.ExitCode == 0, $"the build failed:\n{built.Output}");
        Assert.DoesNotContain(": warning ", built.Output, StringComparison.Ordinal);

        // The generator did run, in the flavour the references ask for: a clean build of nothing would prove nothing.
        var generated = Directory.GetFiles(Path.Combine(project, "obj"), "*.g.cs", SearchOption.AllDirectories);
        foreach (var network in new[] { "DocumentedNet", "InternalNet" })
        {
            var file = Assert.Single(generated, f => Path.GetFileName(f) == $"Consumer.Networks.{network}.g.cs");
            var text = File.ReadAllText(file);
            Assert.Contains("public const long ParameterCount = ", text, StringComparison.Ordinal);
            Assert.Equal(withTorchSharp, text.Contains(" : nn.Module<Tensor, Tensor>", StringComparison.Ordinal));
        }
    }
}
