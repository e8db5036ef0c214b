using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Registry;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The registry the generator emits once per compilation: every [Network] class listed once, with its definition,
/// summary, module factory and inference loader, found through the assembly attribute by
/// <see cref="NetworkRegistry.Of(System.Reflection.Assembly)"/> without scanning types.
/// </summary>
public class NetworkRegistryTests
{
    private static string Network(string ns, string name, int channels = 8, string accessibility = "public") => $$"""
        using Mnist.Dsl;

        namespace {{ns}};

        [Network(1, 28, 28)]
        [Conv2d({{channels}}, 3), ReLU, BatchNorm2d, Dropout(0.1), GlobalAvgPool2d, Linear(10)]
        {{accessibility}} partial class {{name}};
        """;

    private static NetworkRegistry RegistryOf(GeneratorHarness.Result result)
    {
        Assert.Empty(result.CompilerWarnings);
        return NetworkRegistry.Of(LoadedCompilation.Load(result.Output));
    }

    [Fact]
    public void A_compilation_with_two_networks_lists_both_with_their_definition_summary_module_and_inference()
    {
        var result = GeneratorHarness.Run(Network("Nets", "Small", channels: 4), Network("Nets", "Large", channels: 16, accessibility: "internal"));

        var registry = RegistryOf(result);

        Assert.Equal(new[] { "Nets.Large", "Nets.Small" }, registry.Select(n => n.FullName));
        foreach (var network in registry)
        {
            Assert.Equal(network.Name, network.Definition.Name);
            Assert.Equal("Nets." + network.Name, network.Type.FullName);
            Assert.Same(network.Type.GetProperty("Summary")!.GetValue(null), network.Summary);
            Assert.Equal((long)network.Type.GetField("ParameterCount")!.GetRawConstantValue()!, network.Summary.TotalParameters);
            Assert.True(network.HasModule);
            Assert.True(network.HasInference);
        }
        Assert.True(registry.Find("Small").Summary.TotalParameters < registry.Find("Nets.Large").Summary.TotalParameters);
        Assert.Contains("() => new global::Nets.Small()", result.RegistrySource);
    }

    /// <summary>The loader is the inference class's: weights that are not a safetensors file fail with its error, naming the source.</summary>
    [Fact]
    public void The_inference_loader_reads_weights_through_the_generated_inference_class()
    {
        var network = RegistryOf(GeneratorHarness.Run(Network("Nets", "Net"))).Find("Net");

        var error = Assert.ThrowsAny<Exception>(() => network.LoadInference(new MemoryStream(new byte[] { 1, 2, 3 }), "garbage.safetensors"));

        Assert.Contains("garbage.safetensors", error.Message);
        Assert.True(typeof(INetworkInference).IsAssignableFrom(network.Type.Assembly.GetType("Nets.NetInference")));
    }

    [Fact]
    public void Networks_of_one_name_in_two_namespaces_and_a_nested_one_are_each_listed_once_by_full_name()
    {
        var result = GeneratorHarness.Run(
            Network("A", "Net"),
            Network("B", "Net"),
            """
            using Mnist.Dsl;

            namespace C;

            public partial class Outer
            {
                [Network(1, 28, 28)]
                [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), GlobalAvgPool2d, Linear(10)]
                public partial class Net;

                [Network(1, 28, 28)]
                [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), GlobalAvgPool2d, Linear(10)]
                private partial class Hidden;
            }
            """);

        var registry = RegistryOf(result);

        // Outer.Hidden is private: code outside Outer cannot name it, so the registry cannot list it.
        Assert.Equal(new[] { "A.Net", "B.Net", "C.Outer.Net" }, registry.Select(n => n.FullName));
        Assert.Equal("C.Outer+Net", registry.Find("C.Outer.Net").Type.FullName);
        Assert.Contains("A.Net, B.Net, C.Outer.Net", Assert.Throws<KeyNotFoundException>(() => registry.Find("Net")).Message);
        Assert.Equal("B.Net", registry.Find("B.Net").FullName);
    }

    /// <summary>[Network] on two parts of one partial class (the compiler's CS0579) is one network: listed once.</summary>
    [Fact]
    public void A_network_whose_attribute_is_on_two_parts_is_listed_once()
    {
        var result = GeneratorHarness.Run(Network("Nets", "Net"), """
            using Mnist.Dsl;

            namespace Nets;

            [Network(1, 28, 28)]
            public partial class Net;
            """);

        Assert.Single(result.CompilerDiagnostics, d => d.Id == "CS0579");
        var registry = result.RegistrySource;
        Assert.Single(registry.Split('\n'), line => line.Contains("typeof(global::Nets.Net)"));
    }

    [Fact]
    public void Without_a_torch_runtime_the_networks_are_listed_without_a_module()
    {
        var result = GeneratorHarness.Run(CompilationFactory.Create(new[] { Network("Nets", "Net") }, withTorch: false));

        var network = Assert.Single(RegistryOf(result));

        Assert.False(network.HasModule);
        Assert.True(network.HasInference);
        Assert.Contains("has no module", Assert.Throws<InvalidOperationException>(() => network.CreateModule()).Message);
    }

    [Fact]
    public void A_compilation_without_networks_gets_no_registry_and_lists_none()
    {
        var result = GeneratorHarness.Run("namespace Nets; public class Plain { }");

        Assert.Null(result.Registry);
        Assert.Empty(NetworkRegistry.Of(LoadedCompilation.Load(result.Output)));
    }

    [Fact]
    public void The_networks_of_several_assemblies_are_listed_in_the_order_given()
    {
        var first = LoadedCompilation.Load(GeneratorHarness.Run(Network("First", "Net")).Output);
        var second = LoadedCompilation.Load(GeneratorHarness.Run(Network("Second", "Net")).Output);

        Assert.Equal(new[] { "Second.Net", "First.Net" }, NetworkRegistry.Of(second, first).Select(n => n.FullName));
    }

    [Fact]
    public void A_declared_name_and_description_are_the_entrys_and_names_are_found_ignoring_case()
    {
        var result = GeneratorHarness.Run("""
            using Mnist.Dsl;

            namespace Nets;

            [Network(1, 28, 28, Name = "seed-4", Description = "a \"quoted\" line\\")]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), GlobalAvgPool2d, Linear(10)]
            public partial class Seed4;
            """, Network("Nets", "Plain"));

        var registry = RegistryOf(result);

        var named = registry.Find("SEED-4");
        Assert.Equal(("seed-4", "a \"quoted\" line\\", "Nets.Seed4"), (named.Name, named.Description, named.FullName));
        Assert.Same(named, registry.Find("seed4"));
        Assert.Same(named, registry.Find("nets.seed4"));
        var plain = registry.Find("plain");
        Assert.Equal(("Plain", ""), (plain.Name, plain.Description));
    }
}

