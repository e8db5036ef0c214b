using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using Mnist.Dsl.Registry;
using Xunit;
using Mnist.Tests.Shared;

namespace Mnist.Models.Tests;

/// <summary>
/// The PyTorch twins (tests/python/sample_networks.py, which bench/pytorch/networks.py imports) are listed by the
/// registry names of Mnist.Models' networks: a network declared there without its twin, or a twin under a name the
/// trainer does not know, fails here rather than in a benchmark script.
/// </summary>
public class PyTorchTwinsTests
{
    [Fact]
    public void The_twins_by_registry_name_are_exactly_the_registrys_networks()
    {
        var registry = NetworkRegistry.Of(typeof(DefaultNet).Assembly)
            .ToDictionary(n => n.Name, n => n.Type.Name);

        var twins = TwinsByRegistryName();

        Assert.Equal(registry.OrderBy(p => p.Key, System.StringComparer.Ordinal), twins.OrderBy(p => p.Key, System.StringComparer.Ordinal));
    }

    /// <summary>BY_REGISTRY_NAME as {registry name: twin class name}, printed by Debian's python3 (sample_networks imports torch).</summary>
    private static Dictionary<string, string> TwinsByRegistryName()
    {
        var folder = Path.Combine(System.AppContext.BaseDirectory, "python");
        var stdout = PythonScript.RunCode("sample_networks.BY_REGISTRY_NAME",
            $"import sys, json; sys.path.insert(0, {JsonSerializer.Serialize(folder)}); import sample_networks as s; "
            + "print(json.dumps({k: v.__name__ for k, v in s.BY_REGISTRY_NAME.items()}))");
        return JsonSerializer.Deserialize<Dictionary<string, string>>(stdout)!;
    }
}
