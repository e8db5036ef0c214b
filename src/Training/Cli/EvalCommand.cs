using System.CommandLine;
using TorchSharp;

namespace Mnist.Dsl.Training.Cli;

/// <summary>
/// <c>eval</c>: saved weights on the MNIST test set, printed as the seeds' test line. On the generated engine the
/// network's inference class computes it (no native library); on torch its TorchSharp module does.
/// </summary>
internal static class EvalCommand
{
    public static Command Create(ModelCatalog catalog, Option<string> data)
    {
        var model = new Argument<string>("model") { Description = "network the weights belong to" };
        var weights = new Option<string>("--weights") { Description = "safetensors file written by train (best.safetensors, last.safetensors) or by PyTorch", Required = true };
        var engine = new Option<EngineKind>("--engine")
        {
            Description = "generated: the network's inference class (plain C#, no native library); torch: its TorchSharp module. Default: generated when the network has an inference class",
            DefaultValueFactory = _ => EngineKind.Generated,
        };
        var evaluate = new Command("eval", "evaluate saved weights on the MNIST test set") { model, weights, data, engine, TrainOptions.Threads.Option, TrainOptions.TestLimit.Option };
        evaluate.SetAction(parse => MnistTrainer.Guarded(() =>
        {
            var entry = catalog.Find(parse.GetValue(model)!);
            var path = parse.GetValue(weights)!;
            var folder = parse.GetValue(data)!;
            var threads = TrainOptions.Threads.Value(parse);
            var limit = TrainOptions.TestLimit.Value(parse);
            var onGenerated = parse.GetValue(engine) == EngineKind.Generated;
            if (onGenerated && !entry.HasInference)
            {
                if (parse.GetResult(engine) is { Implicit: false })
                    throw new UserError($"{entry.Name} has no inference class, so it cannot be evaluated on --engine generated; use --engine torch.");
                onGenerated = false;
            }
            // A missing file is reported by the loaders, after a runtime that cannot load (the order users know).
            if (File.Exists(path)) FiniteWeights.Require(path);
            var (loss, correct, count) = onGenerated ? InferenceEvaluation.Run(entry, catalog.All, path, folder, threads, limit) : OnTorch(entry, catalog, path, folder, threads, limit);
            System.Console.WriteLine(EpochResult.FormatTestLine(loss, correct, count));
            return 0;
        }));
        return evaluate;
    }

    // Its own method, so that evaluating through the inference class never compiles a call into TorchSharp code.
    private static (double Loss, long Correct, long Count) OnTorch(RegisteredNetwork entry, ModelCatalog catalog, string path, string folder, int threads, int limit)
    {
        TrainCommand.PrepareTorch();
        torch.set_num_threads(threads);
        using var model = entry.Create();
        model.LoadWeights(path, entry, catalog.All); // names the network a file of another one fits
        Runtime.ChannelsLast.Apply(model);
        using var test = MnistDataset.Load(folder, train: false);
        using var scope = torch.NewDisposeScope();
        var (images, labels) = TorchTrainer.Limit(test, limit);
        var (loss, correct) = TorchTrainer.Evaluate(model, images, labels);
        return (loss, correct, labels.shape[0]);
    }
}
