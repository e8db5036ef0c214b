using System;
using System.Globalization;
using Mnist.Bench;
using Mnist.Models;

// Usage: Mnist.Bench train <model> [batches] [warmup] [batch-size] [threads]
//        prints "images_per_second=<value>" as its last line, for bench/vs-pytorch.sh;
//        Mnist.Bench infer <model> [single-image calls] [batches] [batch-size] [threads]
//        prints batch-1 latency and batch throughput of the generated inference class and libtorch, for bench/inference.sh.
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
if (args.Length >= 2 && args[0] == "infer")
{
    InferenceLatency.Run(args[1], singles: Arg(2, 2000), batches: Arg(3, 10), batchSize: Arg(4, 1000), threads: Arg(5, 2));
    return 0;
}
if (args.Length < 2 || args[0] != "train")
{
    Console.Error.WriteLine("usage: Mnist.Bench train seed004 [batches=100] [warmup=10] [batch-size=128] [threads=2]\n       Mnist.Bench infer default [single-image calls=2000] [batches=10] [batch-size=1000] [threads=2]");
    return 2;
}
Func<Mnist.Torch.torch.nn.Module<Mnist.Torch.torch.Tensor, Mnist.Torch.torch.Tensor>> model = args[1] switch
{
    "seed004" => () => new Seed004Net(),
    _ => throw new ArgumentException($"unknown model '{args[1]}'; known: seed004"),
};
var rate = TrainThroughput.Run(model, batches: Arg(2, 100), warmup: Arg(3, 10), batchSize: Arg(4, 128), threads: Arg(5, 2));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_second={rate:F1}"));
return 0;
