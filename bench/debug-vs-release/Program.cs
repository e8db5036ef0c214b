// The program of bench/debug-vs-release.sh: a user's project (the template's MyNet, the Mnist.Dsl and Mnist.Dsl.Training
// packages), built once in Debug and once in Release. Each command times one thing and prints key=value lines.
//   train <data> <run folder>       the user's `train` (MnistTrainer.Run, generated engine trainer), 1 epoch on 2,048 images
//   eval <data> <weights>           the user's `eval` (MnistTrainer.Run, the generated inference class), the 10,000 test images
//   infer <data> <weights> <count>  MyNetInference itself: Classify one image at a time (batch 1), PredictBatch 1,000 at a
//                                   time, on the calling thread: wall time and that thread's CPU time
//   steps <data> <steps>            MyNet.Trainer itself: training steps of 128 images on 2 threads
using System.Diagnostics;
using System.Globalization;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Training;
using Mnist.Bench;
using Mnist.Dsl.Training.Data;
using MyNets;

var invariant = CultureInfo.InvariantCulture;
var data = args[1];
switch (args[0])
{
    case "train":
        Timed("train_s", () => MnistTrainer.Run(["train", "mynet", "--data", data, "--output", args[2], "--epochs", "1",
            "--train-limit", "2048", "--test-limit", "1000", "--batch-size", "128", "--threads", "2"]));
        break;
    case "eval":
        Timed("eval_s", () => MnistTrainer.Run(["eval", "mynet", "--data", data, "--weights", args[2]]));
        break;
    case "infer":
        Infer(MnistImages.Load(data, train: false), MyNetInference.Load(args[2]), int.Parse(args[3], invariant));
        break;
    case "steps":
        Steps(MnistImages.Load(data, train: true), int.Parse(args[2], invariant));
        break;
    default:
        Console.Error.WriteLine($"unknown command {args[0]}: use train, eval, infer or steps");
        return 2;
}
return 0;

// Wall time, and the process's CPU time (all threads; on a loaded machine it leaves out the waits for a core).
void Timed(string key, Func<int> run)
{
    var clock = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    var code = run();
    if (code != 0) throw new InvalidOperationException($"{key}: the trainer returned {code}");
    Console.WriteLine(FormattableString.Invariant($"{key}={clock.Elapsed.TotalSeconds:F3}"));
    Console.WriteLine(FormattableString.Invariant($"{key}_cpu={(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:F3}"));
}

// Wall time, and the calling thread's CPU time (CLOCK_THREAD_CPUTIME_ID), which on a loaded machine leaves out the
// time the thread waited for a core: both measurements here run on the calling thread alone.
void Infer(MnistImages test, MyNetInference network, int count)
{
    // Batch 1: Classify image by image (a warm-up pass first, so the JIT's tiers have settled).
    var correct = 0;
    for (var i = 0; i < 500; i++) network.Classify(test.Image(i));
    var clock = Stopwatch.StartNew();
    var cpu = ThreadCpuClock.Nanoseconds();
    for (var i = 0; i < count; i++) correct += network.Classify(test.Image(i % test.Count)) == test.Labels[i % test.Count] ? 1 : 0;
    var singleCpu = (ThreadCpuClock.Nanoseconds() - cpu) / 1000.0 / count;
    var single = clock.Elapsed.TotalMilliseconds * 1000 / count;
    // Batch 1,000: the whole test set through PredictBatch on the calling thread, twice (the first warms up).
    var outputs = new float[1000 * MyNetInference.Classes];
    double perSecond = 0, perCpuSecond = 0;
    for (var pass = 0; pass < 2; pass++)
    {
        clock.Restart();
        cpu = ThreadCpuClock.Nanoseconds();
        for (var start = 0; start + 1000 <= test.Count; start += 1000)
            network.PredictBatch(test.Images.AsSpan(start * MnistImages.Pixels, 1000 * MnistImages.Pixels), outputs);
        perCpuSecond = test.Count / ((ThreadCpuClock.Nanoseconds() - cpu) / 1e9);
        perSecond = test.Count / clock.Elapsed.TotalSeconds;
    }
    Console.WriteLine(FormattableString.Invariant($"batch1_wall_us={single:F1}"));
    Console.WriteLine(FormattableString.Invariant($"batch1000_wall_images_per_s={perSecond:F0}"));
    Console.WriteLine(FormattableString.Invariant($"batch1_correct={correct}/{count}"));
    Console.WriteLine(FormattableString.Invariant($"batch1_cpu_us={singleCpu:F1}"));
    Console.WriteLine(FormattableString.Invariant($"batch1000_cpu_images_per_s={perCpuSecond:F0}"));
}

void Steps(MnistImages train, int steps)
{
    const int Batch = 128;
    using var trainer = MyNet.Trainer.Create(new TrainerOptions(Batch, 2, 1, new Sgd(0.01, 0.9)));
    var labels = new int[Batch];
    float loss = 0;
    void Step(int s)
    {
        var start = s * Batch % (train.Count - Batch);
        for (var i = 0; i < Batch; i++) labels[i] = train.Labels[start + i];
        loss = trainer.Step(train.Images.AsSpan(start * MnistImages.Pixels, Batch * MnistImages.Pixels), labels);
    }
    for (var s = 0; s < 5; s++) Step(s);
    var clock = Stopwatch.StartNew();
    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
    for (var s = 5; s < 5 + steps; s++) Step(s);
    Console.WriteLine(FormattableString.Invariant($"train_images_per_s={steps * Batch / clock.Elapsed.TotalSeconds:F0}"));
    Console.WriteLine(FormattableString.Invariant($"train_cpu_ms_per_step={(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds / steps:F1}"));
    Console.WriteLine(FormattableString.Invariant($"train_last_loss={loss:F4}"));
}
