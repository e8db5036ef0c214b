using System.CommandLine;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// <c>export</c>: saved weights and the network's plan as an ONNX model (opset 17), for ONNX Runtime, ML.NET or a
/// browser (docs/onnx.md). No native library: the graph is written from the layers, the weights from the safetensors
/// file, checked as <c>eval</c> checks them.
/// </summary>
internal static class ExportCommand
{
    public static Command Create(ModelCatalog catalog)
    {
        var model = new Argument<string>("model") { Description = "network the weights belong to" };
        var weights = new Option<string>("--weights")
        {
            Description = "safetensors file written by train (best.safetensors, last.safetensors) or by PyTorch",
            Required = true,
        };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file to write (replaced atomically)", Required = true };
        var keepBatchNorm = new Option<bool>("--keep-batchnorm")
        {
            Description = "write every BatchNorm as a BatchNormalization node instead of folding those that directly follow a Conv2d or Linear " +
                "into its weights (same outputs; folded is the default)",
        };
        var export = new Command("export",
            "write saved weights as an ONNX model (opset 17; input 'image' [N, C, H, W] normalised as the trainer does)")
        {
            model, weights, onnx, keepBatchNorm,
        };
        export.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var entry = catalog.Find(parse.GetValue(model)!);
            var path = parse.GetValue(onnx)!;
            var exported = entry.ToOnnx(parse.GetValue(weights)!, catalog.All, foldBatchNorm: !parse.GetValue(keepBatchNorm));
            try
            {
                exported.Save(path);
            }
            catch (IOException e)
            {
                throw new UserError(e.Message);
            }
            Console.WriteLine($"Wrote {path}: {exported}");
            return 0;
        }));
        return export;
    }
}
