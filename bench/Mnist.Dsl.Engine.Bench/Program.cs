using System;
using System.Diagnostics;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Trainers;

// usage: Mnist.Dsl.Engine.Bench [batches=100] [warmup=10] [batch=128] [threads=2] [network=default|<a bench/stacks name>]
//        Mnist.Dsl.Engine.Bench kernels [images=64] [network=default|fast|separable|separable-dense]
//        Mnist.Dsl.Engine.Bench bands [network=default|fast] [rounds=30]
//        Mnist.Dsl.Engine.Bench shapes [images=64] [rounds=10]
//        Mnist.Dsl.Engine.Bench peak [threads=2] [seconds=1] [passes=5]
//        Mnist.Dsl.Engine.Bench composed [network=default] [steps=50] [rounds=6] [batch=128] [threads=2]
//        Mnist.Dsl.Engine.Bench depthwise [rounds=6] [batch=128] [threads=2] [images=60000]
//        Mnist.Dsl.Engine.Bench grouped [seconds=2]
//        Mnist.Dsl.Engine.Bench batchnorm [rounds=200]
// Prints key=value lines; the last is images_per_second (what bench/common.sh's side_by_side reads).
if (args.Length > 0 && args[0] == "bands")
{
    // Each stride-1 input gradient with and without skipping its zero-border kernel rows (InputGradientBands.cs).
    InputGradientBands.Run(SimdWidths.Best(), args.Length > 1 ? args[1] : "default", args.Length > 2 ? int.Parse(args[2]) : 30);
    return;
}
if (args.Length > 0 && args[0] == "kernels")
{
    KernelTimes.Run(SimdWidths.Best(), args.Length > 1 ? int.Parse(args[1]) : 64, args.Length > 2 ? args[2] : "default");
    return;
}
if (args.Length > 0 && args[0] == "batchnorm")
{
    // The fused block's passes outside the convolution, one thread, ns per float (BatchNormPasses.cs).
    BatchNormPasses.Run(args.Length > 1 ? int.Parse(args[1]) : 200);
    return;
}
if (args.Length > 0 && args[0] == "grouped")
{
    // The benchmark set's grouped, depthwise and strided convolutions one by one, in thread CPU time (GroupedLayers.cs).
    GroupedLayers.Run(SimdWidths.Best(), args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2);
    return;
}
if (args.Length > 0 && args[0] == "peak")
{
    // The machine's measured FMA throughput on T threads (PeakFlops.cs): the denominator of bench/train-engines.sh's "% of peak".
    PeakFlops.Run(args.Length > 1 ? int.Parse(args[1]) : 2, args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 1,
        args.Length > 3 ? int.Parse(args[3]) : 5);
    return;
}
if (args.Length > 0 && args[0] == "shapes")
{
    ShapeSpecialization.Run(args.Length > 1 ? int.Parse(args[1]) : 64, args.Length > 2 ? int.Parse(args[2]) : 10);
    return;
}

if (args.Length > 0 && args[0] == "depthwise")
{
    int At(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
    DepthwiseVsDense.Run(At(1, 6), At(2, 128), At(3, 2), At(4, 60_000));
    return;
}

if (args.Length > 0 && args[0] == "composed")
{
    int At(int i, int fallback) => args.Length > i ? int.Parse(args[i]) : fallback;
    ComposedVsGenerated.Run(args.Length > 1 ? args[1] : "default", At(2, 50), At(3, 6), At(4, 128), At(5, 2));
    return;
}

int[] defaults = [100, 10, 128, 2];
int Arg(int i) => args.Length > i ? int.Parse(args[i]) : defaults[i];
int batches = Arg(0), warmup = Arg(1), batch = Arg(2), threads = Arg(3);
string network = args.Length > 4 ? args[4] : "default";

// Like the PyTorch script: a pool of 50 random batches (standard normal images, uniform labels), SGD lr 0.01 momentum 0.9.
const int pool = 50;
var random = new Random(0);
var images = new float[pool * batch * 784];
var labels = new int[pool * batch];
for (int i = 0; i < images.Length; i++) images[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
for (int i = 0; i < labels.Length; i++) labels[i] = random.Next(10);

var width = SimdWidths.Best();
var options = new TrainerOptions(batch, threads, 0, new Sgd(0.01, 0.9), width);
// The generated trainer of a sample network (Mnist.Models' declarations, compiled into this program), or a benchmark
// stack (bench/stacks) composed at run time from the same lowering the generator writes trainers from.
var registry = Mnist.Dsl.Registry.NetworkRegistry.Of(typeof(Program).Assembly);
var stack = network.StartsWith("random", StringComparison.Ordinal) ? BenchmarkStacks.Find(network) : null;
var definition = stack ?? registry.Find(network).Definition;
using var trainer = stack is null ? registry.Find(network).CreateTrainer(options) : TrainerBlueprint.For(stack).Create(options);
float loss = 0;
void Step(int i)
{
    int start = i % pool * batch;
    loss = trainer.Step(images.AsSpan(start * 784, batch * 784), labels.AsSpan(start, batch));
}

// Warm-up and timing have floors in time as well as in batches (train_throughput.py keeps the same two): .NET's tiered
// JIT starts counting calls for tier-1 only after 100 ms without new tier-0 code, so a small stack's first ~50 steps
// (a few ms each) ran in unoptimised code and read 6-9x below its steady rate (random8: 16k against 148k images/s).
int warmed = 0;
for (var warming = Stopwatch.StartNew(); warmed < warmup || warming.Elapsed.TotalSeconds < MinimumSeconds.Warmup; warmed++) Step(warmed);
StepProfile.Reset();
var process = Process.GetCurrentProcess();
var cpuBefore = process.TotalProcessorTime;
long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
int timed = 0;
var clock = Stopwatch.StartNew();
for (int i = 0; i < batches || clock.Elapsed.TotalSeconds < MinimumSeconds.Timed; i++, timed++) Step(warmed + i);
double seconds = clock.Elapsed.TotalSeconds;
long allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
process.Refresh();
double cpuSeconds = (process.TotalProcessorTime - cpuBefore).TotalSeconds;
double rate = (double)timed * batch / seconds;
// The compile-time count (the generator's summary, as in the class's doc comment); the engine's own geometry must agree.
long macs = NetworkAnalysis.Analyze(definition).Summary!.MultiplyAdds;
if (trainer.ForwardMultiplyAdds != macs)
    Console.Error.WriteLine($"warning: {network}: the engine counts {trainer.ForwardMultiplyAdds} forward multiply-adds per image, the compile-time summary {macs}");
// Training ~ 3x the forward multiply-adds (forward, input gradient, weight gradient), 2 FLOP each.
double gflops = rate * macs * 3 * 2 / 1e9;
if (StepProfile.Enabled) Console.Write(StepProfile.Report((long)timed * batch / threads));
Console.WriteLine($"simd={(int)width}");
// The units the lowering picked: a general unit where no fused one fits (bench/train-set.sh reports them).
Console.WriteLine($"units={BenchmarkStacks.Units(definition)}");
Console.WriteLine($"allocated_bytes_per_step={(double)allocated / timed:F0}");
Console.WriteLine($"timed_batches={timed}");
Console.WriteLine($"forward_macs_per_image={macs}");
Console.WriteLine($"last_loss={loss:F4}");
Console.WriteLine($"gflops={gflops:F1}");
// On a shared machine wall time depends on what else runs; CPU time says what a step costs (spinning included).
Console.WriteLine($"cpu_seconds_per_wall_second={cpuSeconds / seconds:F2}");
Console.WriteLine($"images_per_cpu_second={timed * batch / cpuSeconds:F1}");
Console.WriteLine($"images_per_second={rate:F1}");

/// <summary>The time floors of the warm-up and of the timed steps, in seconds (bench/pytorch/train_throughput.py's twins).</summary>
static class MinimumSeconds
{
    public const double Warmup = 2;
    public const double Timed = 1;
}
