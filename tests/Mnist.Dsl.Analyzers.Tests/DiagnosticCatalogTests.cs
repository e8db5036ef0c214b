using System;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Analyzers;
using Xunit;

namespace Mnist.Dsl.Analyzers.Tests;

/// <summary>Every rule of the layer algebra has its own descriptor in the catalog, under its own ID and severity.</summary>
public class DiagnosticCatalogTests
{
    [Fact]
    public void Every_rule_maps_to_the_descriptor_with_its_id_and_severity()
    {
        foreach (var rule in Enum.GetValues<Rule>())
        {
            var violation = new RuleViolation(rule, -1, "message");
            var descriptor = DiagnosticDescriptors.For(rule);

            Assert.True(violation.Id == descriptor.Id, $"{rule} is reported as {descriptor.Id}, not {violation.Id}");
            Assert.Equal(violation.IsWarning, descriptor.DefaultSeverity == Microsoft.CodeAnalysis.DiagnosticSeverity.Warning);
            Assert.Contains(descriptor, DiagnosticDescriptors.All);
        }
    }

    [Fact]
    public void The_catalog_ids_are_unique()
    {
        var ids = DiagnosticDescriptors.All.Select(d => d.Id).ToArray();

        Assert.Equal(ids.Length, ids.Distinct().Count());
    }
}
