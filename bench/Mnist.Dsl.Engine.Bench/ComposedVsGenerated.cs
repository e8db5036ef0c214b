using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;

/// <summary>
/// The experiment behind one design choice: does a trainer built from the generated code (its shapes written as
/// literals) step faster than one composed at run time from the network's definition (TrainerBlueprint.For)? Both
/// train the same random batches from the same seed, in alternating rounds (the order swapped each round), and must
/// agree on every loss; prints each round's images per second and the median ratio. Not part of the engine.
/// </summary>
internal static class ComposedVsGenerated
{
    public static void Run(string network, int steps, int rounds, int batch, int threads)
    {
        var registered = Mnist.Dsl.Registry.NetworkRegistry.Of(typeof(ComposedVsGenerated).Assembly).Find(network);
        var random = new Random(0);
        const int pool = 20;
        var images = new float[pool * batch * 784];
        var labels = new int[pool * batch];
        for (int i = 0; i < images.Length; i++) images[i] = (float)random.NextDouble();
        for (int i = 0; i < labels.Length; i++) labels[i] = random.Next(10);
        TrainerOptions Options() => new(batch, threads, 1, new Sgd(0.01, 0.9));
        using var generated = registered.CreateTrainer(Options());
        using var composed = TrainerBlueprint.For(registered.Definition).Create(Options());

        double Round(ITrainer trainer, List<float> losses)
        {
            var clock = Stopwatch.StartNew();
            for (int s = 0; s < steps; s++)
            {
                int start = (losses.Count + s) % pool * batch;
                losses.Add(trainer.Step(images.AsSpan(start * 784, batch * 784), labels.AsSpan(start, batch)));
            }
            return (double)steps * batch / clock.Elapsed.TotalSeconds;
        }

        var generatedLosses = new List<float>();
        var composedLosses = new List<float>();
        var ratios = new List<double>();
        Round(generated, generatedLosses); // warm-up round (tiered compilation), not counted; same steps for both
        Round(composed, composedLosses);
        for (int r = 0; r < rounds; r++)
        {
            double g, c;
            if (r % 2 == 0) { g = Round(generated, generatedLosses); c = Round(composed, composedLosses); }
            else { c = Round(composed, composedLosses); g = Round(generated, generatedLosses); }
            ratios.Add(c / g);
            Console.WriteLine($"{network} round {r + 1}: generated {g:F0} images/s, composed {c:F0} images/s, composed/generated {c / g:F3}");
        }
        bool same = generatedLosses.SequenceEqual(composedLosses);
        ratios.Sort();
        Console.WriteLine($"{network}: {generatedLosses.Count} steps each, losses identical: {same}; median composed/generated {ratios[ratios.Count / 2]:F3}");
        if (!same) Environment.ExitCode = 1;
    }
}
