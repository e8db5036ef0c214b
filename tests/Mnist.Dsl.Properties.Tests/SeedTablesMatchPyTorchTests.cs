using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using Mnist.Dsl.Analysis;
using Xunit;
using Mnist.Tests.Shared;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The torchsummary table each sample's generated class carries (its static Summary, computed from the
/// generated Definition) equals the table PyTorch forward hooks give (python/seed_tables.py) for the same
/// network written by hand in tests/python/sample_networks.py: same rows in the same order, shapes, parameter
/// counts, totals and MB lines.
/// PyTorch is Debian's python3-torch at /usr/bin/python3 (the python3 on PATH has no torch).
/// </summary>
public class SeedTablesMatchPyTorchTests
{
    /// <summary>One PyTorch run for every model of the script (importing torch is most of its time).</summary>
    private static readonly Lazy<IReadOnlyDictionary<string, string>> PyTorchTables = new(() =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(PythonScript.Run("seed_tables.py", TimeSpan.FromMinutes(2)))!);

    /// <summary>The samples compiled with their generated code and loaded, as a user's build would run them.</summary>
    private static readonly Lazy<Assembly> GeneratedAssembly = new(() =>
    {
        var result = GeneratorHarness.Run(SampleNetworks.All().Select(n => n.Source).ToArray());
        using var image = new MemoryStream();
        var emitted = result.Output.Emit(image);
        Assert.True(emitted.Success, string.Join("\n", emitted.Diagnostics));
        image.Position = 0;
        // Its own context, so it can be unloaded; Mnist.Dsl and TorchSharp resolve to the test's own copies.
        return new AssemblyLoadContext("SeedTables", isCollectible: true).LoadFromStream(image);
    });

    private static NetworkSummary GeneratedSummary(string name)
    {
        var type = GeneratedAssembly.Value.GetType("Mnist.Models." + name, throwOnError: true)!;
        var summary = type.GetProperty("Summary", BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        return Assert.IsType<NetworkSummary>(summary);
    }

    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void The_generated_summary_table_equals_PyTorchs(string name)
    {
        Assert.True(PyTorchTables.Value.ContainsKey(name), $"python/seed_tables.py has no model {name}: add the sample's PyTorch twin there");
        var expected = PyTorchTables.Value[name].ReplaceLineEndings("\n").TrimEnd('\n');

        var actual = GeneratedSummary(name).ToTable().ReplaceLineEndings("\n");

        Assert.Equal(expected, actual);
    }

    /// <summary>The generated ParameterCount constant agrees with PyTorch's "Total params" too.</summary>
    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void The_generated_parameter_count_equals_PyTorchs_total(string name)
    {
        var totalLine = PyTorchTables.Value[name].Split('\n').Single(l => l.StartsWith("Total params: ", StringComparison.Ordinal));
        var pytorchTotal = long.Parse(totalLine["Total params: ".Length..], System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture);

        var type = GeneratedAssembly.Value.GetType("Mnist.Models." + name, throwOnError: true)!;
        var parameterCount = (long)type.GetField("ParameterCount", BindingFlags.Public | BindingFlags.Static)!.GetRawConstantValue()!;

        Assert.Equal(pytorchTotal, parameterCount);
    }

    /// <summary>Every sample has a PyTorch twin, and the script holds no model that is not a sample.</summary>
    [Fact]
    public void The_script_has_a_model_for_exactly_the_samples()
    {
        Assert.Equal(SampleNetworks.All().Select(n => n.Name).OrderBy(n => n, StringComparer.Ordinal), PyTorchTables.Value.Keys.OrderBy(n => n, StringComparer.Ordinal));
    }
}
