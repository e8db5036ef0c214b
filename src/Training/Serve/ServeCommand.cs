using System.CommandLine;
using System.Net;

namespace Mnist.Dsl.Training.Serve;

/// <summary><c>serve MODEL --weights W</c>: the draw-a-digit page for saved weights, through the network's inference class.</summary>
internal static class ServeCommand
{
    public static Command Create(ModelCatalog catalog)
    {
        var model = new Argument<string>("model") { Description = "network the weights belong to" };
        var weights = new Option<string>("--weights") { Description = "safetensors file written by train (runs/<run>/best.safetensors)",
            Required = true };
        var port = TrainOptions.Validated(
            new Option<int>("--port") { Description = "TCP port (0: any free one, printed)", DefaultValueFactory = _ => 8080 },
            (v => v is >= 0 and <= 65535, "from 0 to 65535"));
        var host = new Option<string>("--host") { Description = "address to listen on; the default, loopback, keeps the page to this machine",
            DefaultValueFactory = _ => "127.0.0.1" };
        var serve = new Command("serve", "serve a page to draw a digit on and watch the network read it (Ctrl-C stops)") { model, weights, port,
            host };
        serve.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var entry = catalog.Find(parse.GetValue(model)!);
            if (!entry.HasInference)
                throw new UserError($"{entry.Name} has no inference class, which the page runs; serve a network that has one (see `list`).");
            var address = parse.GetValue(host)!;
            if (!IPAddress.TryParse(address, out _))
                throw new UserError($"--host {address} is not an IP address; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).");
            var network = entry.LoadInference(parse.GetValue(weights)!, catalog.All);
            using var server = new DigitServer(network, $"{entry.Name}: draw a digit");
            server.Start(address, parse.GetValue(port));
            using var stop = new CancellationTokenSource();
            ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; stop.Cancel(); };
            Console.CancelKeyPress += onCancel;
            try
            {
                Console.WriteLine($"Serving {entry.Name} with {Path.GetFullPath(parse.GetValue(weights)!)} on {server.Url} (Ctrl-C stops)");
                server.RunAsync(stop.Token).GetAwaiter().GetResult();
            }
            finally
            {
                Console.CancelKeyPress -= onCancel;
            }
            return 0;
        }));
        return serve;
    }
}
