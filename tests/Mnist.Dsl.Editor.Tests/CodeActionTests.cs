using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>
/// What csharp-ls 0.28.0 offers at MNIST0002. It does not offer the package's fix, and cannot: its code-action handler
/// instantiates code fix providers only from Roslyn's own assemblies (Microsoft.CodeAnalysis.Features,
/// .CSharp.Features, .Workspaces) and matches them only against the semantic model's compiler diagnostics, never a
/// project's analyzer references or analyzer diagnostics (docs/editor.md). This test holds that finding: the day the
/// server offers "Add BatchNorm2d" it fails, and becomes the test that applies the fix. The fix itself is tested
/// through Roslyn's workspace in tests/Mnist.Dsl.CodeFixes.Tests, and the package test checks that the nupkg ships
/// Mnist.Dsl.CodeFixes.dll in analyzers/dotnet/cs, where Visual Studio and Roslyn's own language server load fixes.
/// </summary>
[Collection(EditorCollection.Name)]
public sealed class CodeActionTests(EditorSession session)
{
    [Fact]
    public async Task Csharp_ls_0_28_answers_code_actions_at_MNIST0002_without_the_packages_fix()
    {
        var uri = session.Uri("Networks.cs");
        var published = await session.Server.WaitForDiagnostics(uri, d => DiagnosticTests.Find(d, "MNIST0002") is not null, EditorSession.Timeout, "MNIST0002");
        var diagnostic = DiagnosticTests.Find(published, "MNIST0002")!.Value;

        var actions = await session.Server.Request("textDocument/codeAction", new
        {
            textDocument = new { uri },
            range = diagnostic.GetProperty("range"),
            context = new { diagnostics = new[] { diagnostic } },
        }, EditorSession.Timeout);

        Assert.Equal(JsonValueKind.Array, actions.ValueKind);
        var titles = actions.EnumerateArray().Select(a => a.GetProperty("title").GetString()).ToList();
        Assert.False(titles.Any(t => t!.Contains("BatchNorm2d", System.StringComparison.Ordinal)),
            $"csharp-ls now offers the package's fix ({string.Join("; ", titles)}): replace this test by one that applies it and checks the edit, and update docs/editor.md");
    }
}
