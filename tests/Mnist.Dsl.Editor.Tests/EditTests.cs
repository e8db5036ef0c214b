using System.Threading.Tasks;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>An edit (textDocument/didChange) reaches the generator and the analyzer: hover and diagnostics follow it.</summary>
[Collection(EditorCollection.Name)]
public sealed class EditTests(EditorSession session)
{
    [Fact]
    public async Task Adding_layers_clears_MNIST0002_and_the_hover_shows_the_new_network()
    {
        var uri = session.Uri("Growing.cs");
        var at = TextPositions.Of(ScratchSources.Growing, "GrowingNet;", 2);
        await session.Server.WaitForDiagnostics(uri, d => DiagnosticTests.Find(d, "MNIST0002") is not null, EditorSession.Timeout, "MNIST0002 before the edit");
        // A missing BatchNorm breaks a rule of the assignment, not the network: the generator still computes it.
        HoverAssert.ShowsNetwork(await session.Hover("Growing.cs", at), ScratchSources.Summary(ScratchSources.GrowingNet));

        session.Server.Notify("textDocument/didChange", new
        {
            textDocument = new { uri, version = 2 },
            contentChanges = new[] { new { text = ScratchSources.Grown } },
        });

        await session.Server.WaitForDiagnostics(uri, d => DiagnosticTests.Find(d, "MNIST0002") is null, EditorSession.Timeout, "the diagnostics after the edit, without MNIST0002");
        var expected = ScratchSources.Summary(ScratchSources.GrownNet);
        var grownAt = TextPositions.Of(ScratchSources.Grown, "GrowingNet;", 2);
        HoverAssert.ShowsNetwork(await session.Hover("Growing.cs", grownAt), expected);
    }
}
