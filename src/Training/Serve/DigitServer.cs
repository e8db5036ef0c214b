using System.Net;
using System.Reflection;
using System.Text;
using Mnist.Dsl.Inference;

namespace Mnist.Dsl.Training.Serve;

/// <summary>
/// The draw-a-digit page over HttpListener (in the box; no native library): GET / is the page, POST
/// /predict?width=W&amp;height=H with W×H grayscale bytes (the canvas, ink bright) answers the 28×28 image the network
/// saw and its ten probabilities as JSON. A request over <see cref="MaxBodyBytes"/> gets 413, a malformed one 400,
/// each with one line of text; an error in one request never stops the server.
/// </summary>
internal sealed class DigitServer : IDisposable
{
    /// <summary>A 1024×1024 canvas: far more than the page's 280×280 sends.</summary>
    public const int MaxBodyBytes = 1 << 20;

    private readonly INetworkInference _network;
    private readonly HttpListener _listener = new();
    private readonly object _predictGate = new();
    private readonly byte[] _page;

    public DigitServer(INetworkInference network, string title)
    {
        _network = network;
        using var resource = Assembly.GetExecutingAssembly().GetManifestResourceStream("Mnist.Dsl.Training.Serve.page.html")
            ?? throw new InvalidOperationException("The draw-a-digit page is missing from the assembly's resources.");
        using var reader = new StreamReader(resource, Encoding.UTF8);
        _page = Encoding.UTF8.GetBytes(reader.ReadToEnd().Replace("{{title}}", WebUtility.HtmlEncode(title)));
    }

    public string Url { get; private set; } = "";

    /// <summary>Starts listening on http://host:port/ (a free port when <paramref name="port"/> is 0).</summary>
    public void Start(string host, int port)
    {
        if (port == 0) port = FreePort(host);
        Url = $"http://{(host.Contains(':') ? $"[{host}]" : host)}:{port}/";
        // HttpListener matches a prefix's host against each request's Host header: "every interface" is its wildcard "+".
        var everywhere = IPAddress.Parse(host) is var address && (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any));
        _listener.Prefixes.Add(everywhere ? $"http://+:{port}/" : Url);
        try
        {
            _listener.Start();
        }
        catch (HttpListenerException e)
        {
            throw new UserError($"cannot listen on {Url}: {e.Message}. Choose another --port (0 picks a free one).");
        }
    }

    /// <summary>Answers requests until <paramref name="stop"/>, each on its own task.</summary>
    public async Task RunAsync(CancellationToken stop)
    {
        using var registration = stop.Register(() => _listener.Stop());
        while (!stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (HttpListenerException)
            {
                continue; // a client that went away while connecting
            }
            _ = Task.Run(() => Answer(context));
        }
    }

    private void Answer(HttpListenerContext context)
    {
        try
        {
            var request = context.Request;
            var path = request.Url?.AbsolutePath ?? "/";
            switch (request.HttpMethod, path)
            {
                case ("GET", "/"):
                    Send(context, 200, "text/html; charset=utf-8", _page);
                    break;
                case ("POST", "/predict"):
                    var body = ReadBody(request);
                    var json = Predict(request.QueryString["width"], request.QueryString["height"], body);
                    Send(context, 200, "application/json", Encoding.UTF8.GetBytes(json));
                    break;
                case (_, "/predict"):
                case (_, "/"):
                    Line(context, 405, $"{request.HttpMethod} is not allowed here: GET / is the page, POST /predict takes a canvas.");
                    break;
                default:
                    Line(context, 404, $"{path} is not here: GET / is the page, POST /predict takes a canvas.");
                    break;
            }
        }
        catch (BadRequest e)
        {
            Line(context, e.Status, e.Message);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
        {
            // The client went away mid-request: nothing to answer.
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error answering {context.Request.HttpMethod} {context.Request.Url}: {e.Message}");
            try { Line(context, 500, "the server failed on this request; see its console."); } catch (Exception) { }
        }
    }

    /// <summary>The JSON answer to a canvas: the 28×28 image the network saw, its probabilities and the class it reads.</summary>
    public string Predict(string? widthText, string? heightText, byte[] body)
    {
        if (!int.TryParse(widthText, NumberStyles.None, CultureInfo.InvariantCulture, out var width)
            || !int.TryParse(heightText, NumberStyles.None, CultureInfo.InvariantCulture, out var height)
            || width is < 1 or > 4096 || height is < 1 or > 4096)
            throw new BadRequest(400, "POST /predict?width=W&height=H needs W and H, whole numbers from 1 to 4096, the canvas's size.");
        if ((long)width * height != body.Length)
            throw new BadRequest(400,
                $"the body has {body.Length} bytes; a {width}x{height} canvas is {(long)width * height} (one gray byte per pixel, row by row).");
        var image = DrawnDigit.ToMnist(body, width, height);
        if (image is null) return "{\"empty\":true}";
        var outputs = new float[_network.Classes];
        lock (_predictGate) _network.Predict(DrawnDigit.Normalized(image), outputs);
        var probabilities = Report.TestPredictions.Softmax(outputs);
        var predicted = 0;
        for (var c = 1; c < outputs.Length; c++) if (outputs[c] > outputs[predicted]) predicted = c;
        return "{\"empty\":false,\"predicted\":" + predicted
            + ",\"probabilities\":[" + string.Join(",", probabilities.Select(p => p.ToString("R", CultureInfo.InvariantCulture)))
            + "],\"image\":[" + string.Join(",", image) + "]}";
    }

    private static byte[] ReadBody(HttpListenerRequest request)
    {
        var chunk = new byte[1 << 16];
        if (request.ContentLength64 > MaxBodyBytes)
        {
            Discard(request.InputStream, chunk);
            throw new BadRequest(413, $"the body is {request.ContentLength64} bytes; at most {MaxBodyBytes} are taken.");
        }
        using var buffer = new MemoryStream();
        int read;
        // A body without Content-Length (chunked) is kept up to the cap, never further.
        while ((read = request.InputStream.Read(chunk, 0, chunk.Length)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBodyBytes)
            {
                Discard(request.InputStream, chunk);
                throw new BadRequest(413, $"the body is over {MaxBodyBytes} bytes, the most taken.");
            }
        }
        return buffer.ToArray();
    }

    /// <summary>
    /// Reads and drops what is left of a refused body (up to 16 times the cap, nothing kept): a client still sending
    /// when the answer comes would get a broken pipe instead of the 413 and its line.
    /// </summary>
    private static void Discard(Stream body, byte[] chunk)
    {
        long dropped = 0;
        int read;
        while (dropped < 16L * MaxBodyBytes && (read = body.Read(chunk, 0, chunk.Length)) > 0) dropped += read;
    }

    private static void Line(HttpListenerContext context, int status, string line) =>
        Send(context, status, "text/plain; charset=utf-8", Encoding.UTF8.GetBytes(line + "\n"));

    private static void Send(HttpListenerContext context, int status, string type, byte[] body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        response.Headers["Cache-Control"] = "no-store";
        response.OutputStream.Write(body);
        response.Close();
    }

    private static int FreePort(string host)
    {
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Parse(host), 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    public void Dispose() => _listener.Close();

    /// <summary>A request the server will not answer: its status and the one line that says why.</summary>
    public sealed class BadRequest(int status, string message) : Exception(message)
    {
        public int Status { get; } = status;
    }
}
