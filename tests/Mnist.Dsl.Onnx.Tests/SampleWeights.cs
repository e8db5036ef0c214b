using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Serialization;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>Which weights a sample network gets.</summary>
public enum WeightsKind
{
    /// <summary>
    /// As the engine initialises them (PyTorch's initialisation), with BatchNorm's γ, β and running statistics drawn
    /// away from 1, 0, 0, 1: at those values folding a BatchNorm changes nothing, and a wrong fold would pass.
    /// </summary>
    Initialised,

    /// <summary>Trained on the generated engine for one pass over the first <see cref="SampleWeights.TrainImages"/> training images: real, imperfect weights and statistics.</summary>
    Trained,
}

/// <summary>
/// The sample networks (src/Samples/Mnist.Models, from their generated registry) and safetensors files of their
/// weights, written as the trainer writes them (<see cref="EngineWeights.StateDict"/>), once per test run.
/// </summary>
internal static class SampleWeights
{
    public const int TrainImages = 2048;
    private const int Batch = 64;

    public static readonly NetworkRegistry Networks = NetworkRegistry.Of(typeof(Mnist.Models.DefaultNet).Assembly);

    public static IEnumerable<object[]> Names() => Networks.Select(n => new object[] { n.Name });

    public static IEnumerable<object[]> NamesAndKinds() =>
        Networks.SelectMany(n => Enum.GetValues<WeightsKind>().Select(k => new object[] { n.Name, k }));

    private static readonly string Folder = CreateFolder();

    /// <summary>A temporary folder, deleted when the test process exits.</summary>
    private static string CreateFolder()
    {
        var folder = Directory.CreateTempSubdirectory("mnist-dsl-onnx-weights-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
        return folder;
    }
    private static readonly ConcurrentDictionary<(string, WeightsKind), Lazy<string>> Files = new();

    /// <summary>The path of the network's weights file of that kind, written the first time it is asked for.</summary>
    public static string Path(string network, WeightsKind kind) =>
        Files.GetOrAdd((network, kind), key => new Lazy<string>(() => Write(Networks.Find(key.Item1), key.Item2))).Value;

    private static string Write(RegisteredNetwork network, WeightsKind kind)
    {
        var path = System.IO.Path.Combine(Folder, $"{network.Name}-{kind}.safetensors".ToLowerInvariant());
        var optimizer = new Sgd(kind == WeightsKind.Trained ? 0.05 : 0, momentum: 0.9);
        using var trainer = network.CreateTrainer(new TrainerOptions(Batch, 2, Seed: 7, optimizer));
        if (kind == WeightsKind.Trained)
        {
            var set = TestImages.TrainingSet;
            var labels = new int[Batch];
            for (var start = 0; start + Batch <= TrainImages; start += Batch)
            {
                for (var i = 0; i < Batch; i++) labels[i] = set.Labels[start + i];
                trainer.Step(set.Images.AsSpan(start * 784, Batch * 784), labels);
            }
        }
        var state = EngineWeights.StateDict(network, trainer);
        if (kind == WeightsKind.Initialised) state = Perturbed(state);
        SafeTensorsFile.Write(path, state);
        return path;
    }

    /// <summary>BatchNorm's γ in [0.5, 1.5], β and running mean in [−0.5, 0.5], running variance in [0.5, 2], from a fixed seed.</summary>
    private static List<KeyValuePair<string, RawTensor>> Perturbed(List<KeyValuePair<string, RawTensor>> state)
    {
        var random = new Random(11);
        (double Low, double High)? Range(string key) =>
            !key.StartsWith("bn", StringComparison.Ordinal) ? null
            : key.EndsWith(".weight", StringComparison.Ordinal) ? (0.5, 1.5)
            : key.EndsWith(".bias", StringComparison.Ordinal) || key.EndsWith(".running_mean", StringComparison.Ordinal) ? (-0.5, 0.5)
            : key.EndsWith(".running_var", StringComparison.Ordinal) ? (0.5, 2.0)
            : null;
        return state.Select(entry => Range(entry.Key) is not { } range ? entry
            : KeyValuePair.Create(entry.Key, RawTensor.Float32(
                entry.Value.AsFloat32().Select(_ => (float)(range.Low + (range.High - range.Low) * random.NextDouble())).ToArray(), entry.Value.Shape)))
            .ToList();
    }
}
