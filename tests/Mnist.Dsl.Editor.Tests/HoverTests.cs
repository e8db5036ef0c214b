using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>
/// Hovering a network, where it is declared and where it is used, shows what the generator computed, whether or not
/// the user wrote a doc comment of their own (Roslyn merges the doc comments of a partial type's parts; docs/editor.md).
/// </summary>
[Collection(EditorCollection.Name)]
public sealed class HoverTests(EditorSession session)
{
    [Fact]
    public async Task Hover_on_an_undocumented_networks_declaration_shows_its_numbers_and_table()
    {
        var hover = await session.Hover("Networks.cs", TextPositions.Of(ScratchSources.Networks, "PlainNet;", 2));

        HoverAssert.ShowsNetwork(hover, ScratchSources.Summary(ScratchSources.PlainNet));
    }

    [Fact]
    public async Task Hover_on_a_documented_networks_declaration_shows_the_users_summary_and_the_generated_numbers_and_table()
    {
        var hover = await session.Hover("Networks.cs", TextPositions.Of(ScratchSources.Networks, "DocumentedNet;", 2));

        Assert.Contains("A network with its own summary.", hover);
        HoverAssert.ShowsNetwork(hover, ScratchSources.Summary(ScratchSources.DocumentedNet));
        // The user's summary is a paragraph of its own: a blank line, not a line break, before the generated facts.
        var lines = hover.ReplaceLineEndings("\n").Split('\n');
        var user = System.Array.FindIndex(lines, l => l.Contains("A network with its own summary.", System.StringComparison.Ordinal));
        Assert.Equal("", lines[user + 1].Trim());
        Assert.Contains("DocumentedNet: ", string.Join("\n", lines.Skip(user + 1)), System.StringComparison.Ordinal);
    }

    /// <summary>Over its budget the network is still computed (MNIST0001 is about the assignment, not the shapes).</summary>
    [Fact]
    public async Task Hover_on_an_over_budget_network_shows_its_numbers_and_table()
    {
        var hover = await session.Hover("Networks.cs", TextPositions.Of(ScratchSources.Networks, "OverBudgetNet;", 2));

        HoverAssert.ShowsNetwork(hover, ScratchSources.Summary(ScratchSources.OverBudgetNet));
    }

    [Theory]
    [InlineData("DocumentedNet.ParameterCount")]
    [InlineData("PlainNet.ParameterCount")]
    public async Task Hover_on_a_use_of_a_network_shows_its_numbers_and_table(string use)
    {
        var hover = await session.Hover("Uses.cs", TextPositions.Of(ScratchSources.Uses, use, 2));

        var network = use.StartsWith("Plain", System.StringComparison.Ordinal) ? ScratchSources.PlainNet : ScratchSources.DocumentedNet;
        HoverAssert.ShowsNetwork(hover, ScratchSources.Summary(network));
    }

    [Fact]
    public async Task Hover_on_ParameterCount_shows_the_value()
    {
        var hover = await session.Hover("Uses.cs", TextPositions.Of(ScratchSources.Uses, "ParameterCount + ", 3));

        var count = ScratchSources.Summary(ScratchSources.DocumentedNet).TotalParameters;
        Assert.Contains($"Trainable parameters, computed at compile time: {count.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)}.", hover);
    }
}
