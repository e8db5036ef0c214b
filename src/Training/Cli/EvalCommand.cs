using System.CommandLine;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// <c>eval</c>: saved weights on the MNIST test set, printed as the seeds' test line. On the generated engine the
/// network's inference class computes it, or for a network declared at run time its trainer's eval-mode forward (no
/// native library either way); on torch its TorchSharp module does.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(ModelCatalog catalog, Option<string> data)
    {
        var model = new Argument<string>("model") { Description = "network the weights belong to" };
        var weights = new Option<string>("--weights")
        {
            Description = "safetensors file written by train (best.safetensors, last.safetensors) or by PyTorch",
            Required = true,
        };
        var engine = new Option<EngineKind>("--engine")
        {
            Description = "generated: the network's inference class, or its trainer on the engine for a network declared at run time (plain C#, " +
                "no native library); torch: its TorchSharp module. Default: generated when the network has either",
            DefaultValueFactory = _ => EngineKind.Generated,
        };
        var evaluate = new Command("eval", "evaluate saved weights on the MNIST test set") { model, weights, data, engine,
            TrainOptions.Threads.Option, TrainOptions.TestLimit.Option };
        evaluate.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var entry = catalog.Find(parse.GetValue(model)!);
            var path = parse.GetValue(weights)!;
            var folder = parse.GetValue(data)!;
            var threads = TrainOptions.Threads.Value(parse);
            var limit = TrainOptions.TestLimit.Value(parse);
            var onGenerated = parse.GetValue(engine) == EngineKind.Generated;
            if (onGenerated && !entry.HasInference && !entry.HasTrainer)
            {
                if (parse.GetResult(engine) is { Implicit: false })
                    throw new UserError(
                        $"{entry.Name} has neither an inference class nor a trainer on the engine, " +
                        $"so it cannot be evaluated on --engine generated; use --engine torch.");
                onGenerated = false;
            }
            // A missing file is reported by the loaders, after a runtime that cannot load (the order users know).
            if (File.Exists(path)) FiniteWeights.Require(path);
            var backend = TrainingBackends.For(onGenerated ? EngineKind.Generated : EngineKind.Torch);
            var (loss, correct, count) = backend.Evaluate(entry, catalog.All, path, folder, threads, limit);
            System.Console.WriteLine(EpochResult.FormatTestLine(loss, correct, count));
            return 0;
        }));
        return evaluate;
    }
}
