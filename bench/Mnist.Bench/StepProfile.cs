using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// Where a training step's time goes: the loop of <see cref="TrainThroughput"/> cut into phases (batch, zero_grad,
/// forward, loss, backward, optimizer, disposing the step's scope), each timed on its own, with the managed bytes
/// allocated and the garbage collections per step. Each phase has a wall time and the main thread's CPU time
/// (<see cref="ThreadCpuClock"/>), the figure to compare on a loaded machine, with one thread.
/// bench/pytorch/step_profile.py times the same phases in PyTorch (bench/profile-step.sh runs both). The variants
/// are what our code can choose: zeroing gradients or dropping them ("none"), batches as narrow views or
/// index_select copies ("index_select"), channels-last convolution weights ("channels_last").
/// </summary>
internal static class StepProfile
{
    private static readonly string[] Phases = { "batch", "zero_grad", "forward", "loss", "backward", "optimizer", "scope" };

    /// <summary>
    /// Converts the model to channels-last and prints how far its eval-mode output moved (rounding only: the same
    /// weights, another summation order), so that a faster variant is never a wrong one.
    /// </summary>
    private static void CheckedChannelsLast(nn.Module<Tensor, Tensor> model, Tensor x)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        model.eval();
        var before = model.forward(x);
        Mnist.Dsl.Torch.ChannelsLast.Apply(model);
        var after = model.forward(x);
        var difference = (after - before).abs().max().item<float>();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"channels_last_max_abs_diff={difference:G3}"));
    }

    public static void Run(Func<nn.Module<Tensor, Tensor>> makeModel, int batches, int warmup, int batchSize, int threads, string variant)
    {
        var options = variant.Split(',', StringSplitOptions.RemoveEmptyEntries);
        bool Has(string option) => options.Contains(option, StringComparer.Ordinal);
        set_num_threads(threads);
        manual_seed(0);
        const int pool = 50;
        using var images = randn(new long[] { pool * batchSize, 1, 28, 28 });
        using var labels = randint(10, new long[] { pool * batchSize });
        using var order = randperm(pool * batchSize);
        using var model = makeModel();
        if (Has("channels_last")) CheckedChannelsLast(model, images.narrow(0, 0, batchSize));
        model.train();
        var step = Optimizers.Sgd(model, Has("none"));

        var ticks = new long[Phases.Length];
        var cpu = new long[Phases.Length];
        void Step(int i)
        {
            var c0 = ThreadCpuClock.Nanoseconds();
            var t0 = Stopwatch.GetTimestamp();
            var scope = NewDisposeScope();
            var start = i % pool * batchSize;
            Tensor x, y;
            if (Has("index_select"))
            {
                // What a shuffled epoch costs per batch: a gather of the batch's rows into new tensors.
                var index = order.narrow(0, start, batchSize);
                x = images.index_select(0, index);
                y = labels.index_select(0, index);
            }
            else
            {
                x = images.narrow(0, start, batchSize);
                y = labels.narrow(0, start, batchSize);
            }
            var t1 = Stopwatch.GetTimestamp();
            var c1 = ThreadCpuClock.Nanoseconds();
            step.ZeroGrad();
            var t2 = Stopwatch.GetTimestamp();
            var c2 = ThreadCpuClock.Nanoseconds();
            var output = model.forward(x);
            var t3 = Stopwatch.GetTimestamp();
            var c3 = ThreadCpuClock.Nanoseconds();
            var loss = nn.functional.nll_loss(output, y);
            var t4 = Stopwatch.GetTimestamp();
            var c4 = ThreadCpuClock.Nanoseconds();
            loss.backward();
            var t5 = Stopwatch.GetTimestamp();
            var c5 = ThreadCpuClock.Nanoseconds();
            step.Step();
            var t6 = Stopwatch.GetTimestamp();
            var c6 = ThreadCpuClock.Nanoseconds();
            scope.Dispose();
            var t7 = Stopwatch.GetTimestamp();
            var c7 = ThreadCpuClock.Nanoseconds();
            ticks[0] += t1 - t0; ticks[1] += t2 - t1; ticks[2] += t3 - t2; ticks[3] += t4 - t3;
            ticks[4] += t5 - t4; ticks[5] += t6 - t5; ticks[6] += t7 - t6;
            cpu[0] += c1 - c0; cpu[1] += c2 - c1; cpu[2] += c3 - c2; cpu[3] += c4 - c3;
            cpu[4] += c5 - c4; cpu[5] += c6 - c5; cpu[6] += c7 - c6;
        }

        for (var i = 0; i < warmup; i++) Step(i);
        Array.Clear(ticks);
        Array.Clear(cpu);
        var bytes = GC.GetAllocatedBytesForCurrentThread();
        var collections = GC.CollectionCount(0);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++) Step(warmup + i);
        var seconds = clock.Elapsed.TotalSeconds;
        bytes = GC.GetAllocatedBytesForCurrentThread() - bytes;
        collections = GC.CollectionCount(0) - collections;
        step.Dispose();

        static string F(double v) => v.ToString("F1", CultureInfo.InvariantCulture);
        Console.WriteLine($"malloc_tuning={(Mnist.Dsl.Torch.MallocTuning.Apply() ? "on" : "off")}");
        for (var p = 0; p < Phases.Length; p++)
            Console.WriteLine($"{Phases[p]}_us={F(ticks[p] * 1e6 / Stopwatch.Frequency / batches)} {Phases[p]}_cpu_us={F(cpu[p] / 1e3 / batches)}");
        Console.WriteLine($"managed_bytes_per_step={F((double)bytes / batches)}");
        Console.WriteLine($"gen0_collections={collections}");
        Console.WriteLine($"total_us={F(seconds * 1e6 / batches)}");
        Console.WriteLine($"images_per_second={F(batches * batchSize / seconds)}");
    }
}
