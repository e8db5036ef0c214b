using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Mnist.Dsl.Editor.Tests.LanguageServer;

/// <summary>
/// A minimal LSP client over a server process's stdio: JSON-RPC messages framed by Content-Length headers. It sends
/// requests and notifications, answers the server's own requests through <see cref="ServerRequestHandler"/>, keeps the
/// latest published diagnostics per document, and keeps the server's stderr and log messages for failure messages.
/// </summary>
internal sealed class LspClient : IDisposable
{
    private readonly Process _process;
    private readonly Stream _input;
    private readonly object _writeLock = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Dictionary<string, JsonElement> _diagnostics = new();
    private readonly StringBuilder _log = new();
    private int _nextId;

    /// <summary>Answers a request from the server (method, params); the result is serialised as the reply.</summary>
    public Func<string, JsonElement, object?> ServerRequestHandler { get; set; } = (_, _) => null;

    private LspClient(Process process)
    {
        _process = process;
        _input = process.StandardInput.BaseStream;
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Log("stderr: " + e.Data); };
        process.BeginErrorReadLine();
        _ = Task.Run(ReadLoop);
    }

    public static LspClient Start(ProcessStartInfo start)
    {
        start.RedirectStandardInput = true;
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        return new LspClient(Process.Start(start) ?? throw new InvalidOperationException($"could not start {start.FileName}"));
    }

    /// <summary>The server's stderr and window/logMessage lines so far, for failure messages.</summary>
    public string Log()
    {
        lock (_log) return _log.ToString();
    }

    public async Task<JsonElement> Request(string method, object? parameters, TimeSpan timeout)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        Send(new { jsonrpc = "2.0", id, method, @params = parameters });
        var done = await Task.WhenAny(reply.Task, Task.Delay(timeout)).ConfigureAwait(false);
        _pending.TryRemove(id, out _);
        if (done != reply.Task) throw Failure($"no reply to {method} within {timeout.TotalSeconds:0} s");
        return await reply.Task.ConfigureAwait(false);
    }

    public void Notify(string method, object? parameters) => Send(new { jsonrpc = "2.0", method, @params = parameters });

    /// <summary>Waits until the diagnostics last published for <paramref name="uri"/> satisfy <paramref name="condition"/>; returns them.</summary>
    public async Task<JsonElement> WaitForDiagnostics(string uri, Func<JsonElement, bool> condition, TimeSpan timeout, string what)
    {
        var end = DateTime.UtcNow + timeout;
        while (true)
        {
            JsonElement? latest = null;
            lock (_diagnostics)
                if (_diagnostics.TryGetValue(uri, out var d)) latest = d;
            if (latest is { } found && condition(found)) return found;
            if (DateTime.UtcNow > end)
                throw Failure($"{what}: not published for {uri} within {timeout.TotalSeconds:0} s; last published: {(latest is { } l ? l.GetRawText() : "nothing")}");
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>An exception whose message carries the server's log, so a failure says what the server did.</summary>
    public Exception Failure(string message) => new InvalidOperationException($"{message}\n--- csharp-ls log (stderr, window/logMessage) ---\n{Log()}");

    public void Dispose()
    {
        // Only this server and what it started (its MSBuild build hosts) are ended.
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
        _process.WaitForExit(10_000);
        _process.Dispose();
    }

    private void Send(object message)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(message);
        var header = Encoding.ASCII.GetBytes($"Content-Length: {body.Length}\r\n\r\n");
        lock (_writeLock)
        {
            _input.Write(header);
            _input.Write(body);
            _input.Flush();
        }
    }

    private void Log(string line)
    {
        lock (_log) _log.AppendLine(line);
    }

    private async Task ReadLoop()
    {
        var output = _process.StandardOutput.BaseStream;
        try
        {
            while (await ReadMessage(output).ConfigureAwait(false) is { } message) Dispatch(message);
            Log($"(server closed its output; exited: {_process.HasExited})");
        }
        catch (Exception e) when (e is IOException or JsonException or ObjectDisposedException)
        {
            Log("(reading the server failed: " + e.Message + ")");
        }
        foreach (var waiting in _pending.Values) waiting.TrySetException(Failure("the server stopped before it replied"));
    }

    private void Dispatch(JsonElement message)
    {
        var hasId = message.TryGetProperty("id", out var id);
        if (message.TryGetProperty("method", out var methodElement))
        {
            var method = methodElement.GetString()!;
            var parameters = message.TryGetProperty("params", out var p) ? p : default;
            if (hasId)
            {
                object? result;
                try { result = ServerRequestHandler(method, parameters); }
                catch (Exception e) { result = null; Log($"(answering {method} failed: {e.Message})"); }
                Send(new { jsonrpc = "2.0", id, result });
            }
            else if (method == "textDocument/publishDiagnostics")
            {
                lock (_diagnostics) _diagnostics[parameters.GetProperty("uri").GetString()!] = parameters.GetProperty("diagnostics").Clone();
            }
            else if (method == "window/logMessage")
            {
                Log("log: " + parameters.GetProperty("message").GetString());
            }
            return;
        }
        if (hasId && _pending.TryRemove(id.GetInt32(), out var reply))
        {
            if (message.TryGetProperty("error", out var error)) reply.TrySetException(Failure("the server answered with an error: " + error.GetRawText()));
            else reply.TrySetResult(message.TryGetProperty("result", out var result) ? result.Clone() : default);
        }
    }

    /// <summary>One framed message, or null at the end of the stream.</summary>
    private static async Task<JsonElement?> ReadMessage(Stream stream)
    {
        var length = -1;
        while (true)
        {
            var line = await ReadHeaderLine(stream).ConfigureAwait(false);
            if (line is null) return null;
            if (line.Length == 0) break;
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        }
        if (length < 0) throw new IOException("a message without Content-Length");
        var body = new byte[length];
        await stream.ReadExactlyAsync(body).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    private static async Task<string?> ReadHeaderLine(Stream stream)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one).ConfigureAwait(false) == 0) return bytes.Count == 0 ? null : throw new IOException("the stream ended inside a header");
            if (one[0] == '\n') return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            bytes.Add(one[0]);
        }
    }
}
