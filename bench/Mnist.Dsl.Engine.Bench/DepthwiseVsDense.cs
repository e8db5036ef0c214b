using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Layers;

/// <summary>
/// What the engine's depthwise kernels buy: one epoch (60,000 images unless told, random data, batch 128) of a small
/// depthwise-separable network (3×3 depthwise then 1×1 pointwise), and of the same network with every depthwise
/// convolution made an ordinary one (groups 1: more parameters and multiply-adds, the dense kernels), each epoch cut
/// into rounds that alternate between the two (order swapped each round) so that load from other jobs falls on both.
/// Prints each network's parameters, forward multiply-adds per image and images per second. Not part of the engine.
/// </summary>
internal static class DepthwiseVsDense
{
    /// <summary>The network, its depthwise convolutions grouped (groups = channels) or not (groups 1).</summary>
    public static NetworkDefinition Network(bool depthwise)
    {
        int G(int channels) => depthwise ? channels : 1;
        Layer[] layers =
        [
            new Conv2d(8, 3, Bias: false), new ReLU(), new BatchNorm2d(),                                        // 28 → 26
            new Conv2d(8, 3, Bias: false, Groups: G(8)), new Conv2d(16, 1, Bias: false), new ReLU(), new BatchNorm2d(),   // 26 → 24
            new MaxPool2d(2),                                                                                 // 24 → 12
            new Conv2d(16, 3, Bias: false, Groups: G(16)), new Conv2d(16, 1, Bias: false), new ReLU(), new BatchNorm2d(), // 12 → 10
            new Conv2d(16, 3, Bias: false, Groups: G(16)), new Conv2d(24, 1, Bias: false), new ReLU(), new BatchNorm2d(), // 10 → 8
            new Conv2d(24, 3, Bias: false, Groups: G(24)), new Conv2d(32, 1, Bias: false), new ReLU(), new BatchNorm2d(), // 8 → 6
            new GlobalAvgPool2d(), new Linear(10),
        ];
        return new NetworkDefinition(depthwise ? "DepthwiseSeparable" : "DenseSeparable", 1, 28, 28, layers, requires: Mnist.Dsl.RequiredLayers.None);
    }

    public static void Run(int rounds, int batch, int threads, int epoch = 60_000)
    {
        int steps = Math.Max(1, epoch / batch / rounds);
        var random = new Random(0);
        const int pool = 20;
        var images = new float[pool * batch * 784];
        var labels = new int[pool * batch];
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.NextDouble();
        for (int i = 0; i < labels.Length; i++) labels[i] = random.Next(10);
        TrainerOptions Options() => new(batch, threads, 1, new Sgd(0.01, 0.9));
        var networks = new[] { Network(true), Network(false) };
        var trainers = networks.Select(n => TrainerBlueprint.For(n).Create(Options())).ToArray();
        var seconds = new double[2];
        int step = 0;

        double Round(int which)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                int start = (step + s) % pool * batch;
                trainers[which].Step(images.AsSpan(start * 784, batch * 784), labels.AsSpan(start, batch));
            }
            return clock.Elapsed.TotalSeconds;
        }

        Round(0); // warm-up (tiered compilation), not counted
        Round(1);
        // MNIST_ENGINE_PROFILE=1: where each network's time goes, unit by unit (thread 0's view), over the counted rounds.
        var profiles = new string[2];
        for (int r = 0; r < rounds; r++, step += steps)
            foreach (var which in r % 2 == 0 ? new[] { 0, 1 } : new[] { 1, 0 })
            {
                StepProfile.Reset();
                seconds[which] += Round(which);
                if (StepProfile.Enabled) profiles[which] += StepProfile.Report((long)steps * batch / threads);
            }
        for (int which = 0; which < 2; which++)
        {
            var summary = NetworkAnalysis.Analyze(networks[which]).Summary!;
            if (profiles[which] is { } profile) Console.Write(profile);
            Console.WriteLine($"{networks[which].Name}: {summary.TotalParameters} parameters, {summary.MultiplyAdds} forward multiply-adds per image, " +
                $"{(double)rounds * steps * batch / seconds[which]:F0} images/s over {rounds * steps * batch} images");
        }
        Console.WriteLine($"depthwise/dense images per second: {seconds[1] / seconds[0]:F2}");
        foreach (var trainer in trainers) trainer.Dispose();
    }
}
