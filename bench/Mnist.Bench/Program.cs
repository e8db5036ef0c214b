using System;
using System.Globalization;
using System.Linq;
using Mnist.Bench;

// Benchmarks run by hand through bench/*.sh. Each mode prints "key=value" lines; the scripts read the last one.
var usage = $"""
    usage: Mnist.Bench train <model> [batches=100] [warmup=10] [batch-size=128] [threads=2]
           Mnist.Bench profile <model> [batches=50] [warmup=10] [batch-size=128] [threads=2] [variant=sgd]
           Mnist.Bench eval <model> <batch-size> [batches=1000] [warmup=100] [threads=2]
           Mnist.Bench overhead [calls=200000] [threads=2]
           Mnist.Bench generator [declarations=1,10,100] [rounds=10] [warmup=3]
           Mnist.Bench infer <model> [single-image calls=2000] [batches=10] [batch-size=1000] [threads=2]
    models: {BenchModels.Names}
    """;

// As the trainer does: libtorch's freed buffers stay in the heap (MNIST_DSL_MALLOC_TUNING=0 keeps glibc's defaults).
MallocTuning.Apply();

try
{
    int Arg(int index, int fallback) => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
    switch (args.FirstOrDefault())
    {
        case "train" when args.Length >= 2:
            var (trainRate, trainCpuRate) = TrainThroughput.Run(BenchModels.Find(args[1]), batches: Arg(2, 100), warmup: Arg(3, 10), batchSize: Arg(4, 128), threads: Arg(5, 2));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_cpu_second={trainCpuRate:F1}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_second={trainRate:F1}"));
            return 0;
        case "profile" when args.Length >= 2:
            // The training step cut into phases (StepProfile.cs); variant: sgd, plus ",none", ",index_select", ",channels_last".
            StepProfile.Run(BenchModels.Plain(args[1]), batches: Arg(2, 50), warmup: Arg(3, 10), batchSize: Arg(4, 128), threads: Arg(5, 2),
                variant: args.Length > 6 ? args[6] : "sgd");
            return 0;
        case "eval" when args.Length >= 3:
            var evalRate = EvalThroughput.Run(BenchModels.Find(args[1]), batchSize: Arg(2, 1), batches: Arg(3, 1000), warmup: Arg(4, 100), threads: Arg(5, 2));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"images_per_second={evalRate:F1}"));
            return 0;
        case "overhead":
            var nanoseconds = CallOverhead.NanosecondsPerCall(calls: Arg(1, 200_000), threads: Arg(2, 2));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nanoseconds_per_call={nanoseconds:F0}"));
            return 0;
        case "generator":
            var sizes = (args.Length > 1 ? args[1] : "1,10,100").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture));
            foreach (var size in sizes)
            {
                var t = GeneratorTiming.Run(size, rounds: Arg(2, 10), warmup: Arg(3, 3));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"declarations={t.Declarations} generator_ms={t.GeneratorMs:F2} generator_ms_per_declaration={t.GeneratorMs / t.Declarations:F3} " +
                    $"analyzer_ms={t.AnalyzerMs:F2} analyzer_ms_per_declaration={t.AnalyzerMs / t.Declarations:F3} " +
                    $"analysis_wall_ms={t.AnalysisWallMs:F2} analysis_wall_ms_per_declaration={t.AnalysisWallMs / t.Declarations:F3}"));
            }
            return 0;
        case "infer" when args.Length >= 2:
            // Batch-1 latency and batch throughput of the generated inference class and of TorchSharp, for bench/inference.sh.
            InferenceLatency.Run(args[1], singles: Arg(2, 2000), batches: Arg(3, 10), batchSize: Arg(4, 1000), threads: Arg(5, 2));
            return 0;
        default:
            Console.Error.WriteLine(usage);
            return 2;
    }
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
{
    Console.Error.WriteLine($"Mnist.Bench: {e.Message}");
    Console.Error.WriteLine(usage);
    return 2;
}
