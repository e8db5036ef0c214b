using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Threading.Tasks;
using Mnist.Dsl.Editor.Tests.LanguageServer;
using Mnist.Dsl.Tests.Consumer;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>
/// One csharp-ls session for every editor test (loading the project is most of the time): a scratch class library
/// outside the repository that references only the Mnist.Dsl package from a local feed of this build, restored, with
/// the server started in its folder, analyzers switched on (csharp-ls runs analyzers only when its
/// <c>csharp.analyzersEnabled</c> setting is true) and the three documents open.
/// </summary>
public sealed class EditorSession : IAsyncLifetime
{
    /// <summary>Per request: the first hover waits for the project to load (about 15 s here, more on a busy machine).</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("mnist-dsl-editor-");
    private LspClient? _server;

    public string Folder => Path.Combine(_work.FullName, "scratch");

    internal LspClient Server => _server ?? throw new InvalidOperationException("the session did not start");

    public string Uri(string file) => new Uri(Path.Combine(Folder, file)).AbsoluteUri;

    public async Task InitializeAsync()
    {
        var executable = ToolPath();
        var feed = Path.Combine(_work.FullName, "feed");
        var (_, version) = LocalPackage.Pack(feed);
        Directory.CreateDirectory(Folder);
        LocalPackage.WriteNuGetConfig(Folder, feed);
        File.WriteAllText(Path.Combine(Folder, "Scratch.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <RestorePackagesPath>{Path.Combine(_work.FullName, "packages")}</RestorePackagesPath>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Mnist.Dsl" Version="{version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(Folder, "Networks.cs"), ScratchSources.Networks);
        File.WriteAllText(Path.Combine(Folder, "Uses.cs"), ScratchSources.Uses);
        File.WriteAllText(Path.Combine(Folder, "Growing.cs"), ScratchSources.Growing);
        // The server loads the project through MSBuild but does not restore it: an editor user has restored once.
        Dotnet.Run(Folder, "restore");

        var start = new ProcessStartInfo(executable) { WorkingDirectory = Folder };
        start.ArgumentList.Add("--loglevel");
        start.ArgumentList.Add("info");
        Dotnet.CleanEnvironment(start);
        _server = LspClient.Start(start);
        // The server asks for its `csharp` settings (workspace/configuration); everything else it asks gets null.
        _server.ServerRequestHandler = (method, _) => method == "workspace/configuration" ? new[] { Settings } : null;

        await _server.Request("initialize", new
        {
            processId = Environment.ProcessId,
            rootUri = new Uri(Folder).AbsoluteUri,
            workspaceFolders = new[] { new { uri = new Uri(Folder).AbsoluteUri, name = "scratch" } },
            capabilities = new
            {
                workspace = new { configuration = true, didChangeConfiguration = new { dynamicRegistration = false } },
                textDocument = new
                {
                    hover = new { contentFormat = new[] { "markdown", "plaintext" } },
                    publishDiagnostics = new { relatedInformation = false },
                    codeAction = new { codeActionLiteralSupport = new { codeActionKind = new { valueSet = new[] { "quickfix", "refactor" } } } },
                    synchronization = new { didSave = false },
                },
            },
        }, Timeout);
        _server.Notify("initialized", new { });
        _server.Notify("workspace/didChangeConfiguration", new { settings = new { csharp = Settings } });
        foreach (var (file, text) in new[] { ("Networks.cs", ScratchSources.Networks), ("Uses.cs", ScratchSources.Uses), ("Growing.cs", ScratchSources.Growing) })
            _server.Notify("textDocument/didOpen", new { textDocument = new { uri = Uri(file), languageId = "csharp", version = 1, text } });
    }

    public Task DisposeAsync()
    {
        _server?.Dispose();
        _work.Delete(recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>csharp-ls's settings: analyzers (ours among them) run only when asked.</summary>
    private static readonly object Settings = new { analyzersEnabled = true };

    /// <summary>Hover at a position, retried while the server answers null (the project is still loading).</summary>
    public async Task<string> Hover(string file, (int Line, int Character) at)
    {
        var end = DateTime.UtcNow + Timeout;
        while (true)
        {
            var result = await Server.Request("textDocument/hover", new { textDocument = new { uri = Uri(file) }, position = new { line = at.Line, character = at.Character } }, Timeout);
            if (result.ValueKind == JsonValueKind.Object && result.TryGetProperty("contents", out var contents))
            {
                Assert.True(contents.ValueKind == JsonValueKind.Object && contents.GetProperty("kind").GetString() == "markdown", $"hover contents are not one MarkupContent of kind markdown: {contents.GetRawText()}");
                return contents.GetProperty("value").GetString()!;
            }
            if (DateTime.UtcNow > end) throw Server.Failure($"hover at {file}:{at.Line}:{at.Character} returned nothing within {Timeout.TotalSeconds:0} s");
            await Task.Delay(500);
        }
    }

    /// <summary>csharp-ls installed by this project's build (target InstallCsharpLs) into artifacts/tools.</summary>
    private static string ToolPath()
    {
        var metadata = typeof(EditorSession).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var path = metadata["CsharpLs"]!;
        if (!File.Exists(path))
            throw new InvalidOperationException($"csharp-ls {metadata["CsharpLsVersion"]} is not installed at {path}: building tests/Mnist.Dsl.Editor.Tests installs it (dotnet tool install --tool-path {Path.GetDirectoryName(path)} csharp-ls --version {metadata["CsharpLsVersion"]})");
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class EditorCollection : ICollectionFixture<EditorSession>
{
    public const string Name = "csharp-ls session";
}
