using System;
using System.Globalization;
using Mnist.Bench;
using Mnist.Models;

// Usage: Mnist.Bench train <model> [batches] [warmup] [batch-size] [threads]
// Prints "images_per_second=<value>" as its last line, for bench/vs-pytorch.sh.
if (args.Length < 2 || args[0] != "train")
{
    Console.Error.WriteLine("usage: Mnist.Bench train seed004 [batches=100] [warmup=10] [batch-size=128] [threads=2]");
    return 2;
}
int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
Func<Mnist.Torch.torch.nn.Module<Mnist.Torch.torch.Tensor, Mnist.Torch.torch.Tensor>> model = args[1] switch
{
    "seed004" => () => new Seed004Net(),
    _ => throw new ArgumentException($"unknown model '{args[1]}'; known: seed004"),
};
var rate = TrainThroughput.Run(model, batches: Arg(2, 100), warmup: Arg(3, 10), batchSize: Arg(4, 128), threads: Arg(5, 2));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_second={rate:F1}"));
return 0;
