using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>The analyzer's errors are published to the editor (textDocument/publishDiagnostics) at the attribute at fault.</summary>
[Collection(EditorCollection.Name)]
public sealed class DiagnosticTests(EditorSession session)
{
    [Fact]
    public async Task An_over_budget_network_gets_MNIST0001_at_its_Network_attribute()
    {
        var published = await session.Server.WaitForDiagnostics(session.Uri("Networks.cs"), d => Find(d, "MNIST0001") is not null, EditorSession.Timeout, "MNIST0001");

        var diagnostic = Find(published, "MNIST0001")!.Value;
        AssertRange(diagnostic, ScratchSources.Networks, "Network(1, 28, 28, Name = \"over-budget\")");
        Assert.Equal(1, diagnostic.GetProperty("severity").GetInt32()); // Error
        var parameters = ScratchSources.Summary(ScratchSources.OverBudgetNet).TotalParameters;
        Assert.Equal(
            string.Format(CultureInfo.InvariantCulture, "OverBudgetNet has {0:N0} parameters, {1:N0} too many for its budget of fewer than 20,000", parameters, parameters - 19_999),
            diagnostic.GetProperty("message").GetString());
    }

    [Fact]
    public async Task A_network_without_BatchNorm_gets_MNIST0002_at_its_Network_attribute()
    {
        var published = await session.Server.WaitForDiagnostics(session.Uri("Networks.cs"), d => Find(d, "MNIST0002") is not null, EditorSession.Timeout, "MNIST0002");

        var diagnostic = Find(published, "MNIST0002")!.Value;
        AssertRange(diagnostic, ScratchSources.Networks, "Network(1, 28, 28, Name = \"no-batchnorm\")");
        Assert.StartsWith("NoBatchNormNet has no BatchNorm layer", diagnostic.GetProperty("message").GetString());
    }

    /// <summary>The one diagnostic with this code, or null; two would be a bug.</summary>
    internal static JsonElement? Find(JsonElement diagnostics, string code)
    {
        var found = diagnostics.EnumerateArray().Where(d => d.TryGetProperty("code", out var c) && c.GetString() == code).ToList();
        Assert.True(found.Count <= 1, $"{code} published {found.Count} times: {diagnostics.GetRawText()}");
        return found.Count == 0 ? null : found[0];
    }

    internal static void AssertRange(JsonElement diagnostic, string text, string expected)
    {
        var start = TextPositions.Of(text, expected);
        var range = diagnostic.GetProperty("range");
        Assert.Equal(
            (start.Line, start.Character, start.Line, start.Character + expected.Length),
            (range.GetProperty("start").GetProperty("line").GetInt32(), range.GetProperty("start").GetProperty("character").GetInt32(),
             range.GetProperty("end").GetProperty("line").GetInt32(), range.GetProperty("end").GetProperty("character").GetInt32()));
    }
}
