using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;

namespace Mnist.Dsl.Training.Engine;

/// <summary>
/// The one place the trainer obtains a network's plain-C# trainer. Until the generator emits a trainer per network
/// (<c>RegisteredNetwork.HasTrainer</c> and <c>CreateTrainer(options)</c>, which replace the two members here), only
/// the default network's shape has one: the engine's hand-composed DefaultNet trainer, with its parameter names
/// mapped to the generated module's state-dict keys.
/// </summary>
public static class EngineTrainers
{
    /// <summary>The network can train on the generated engine.</summary>
    public static bool Supports(RegisteredNetwork network) => IsDefaultNet(network.Definition);

    /// <summary>A new trainer of the network, its weights initialised from the seed.</summary>
    public static ITrainer Create(RegisteredNetwork network, TrainerOptions options)
    {
        if (!Supports(network))
            throw new System.InvalidOperationException($"{network.FullName} has no generated trainer yet; train it on TorchSharp (--engine torch).");
        var trainer = DefaultNetTrainerFactory.Create(options.BatchSize, options.Threads, options.Seed, options.Optimizer, options.Width);
        return new RenamedTrainer(trainer, DefaultNetKeys.ModuleKey);
    }

    // Mnist.Models.DefaultNet's declaration, layer for layer: the one network DefaultNetTrainer computes.
    private static readonly Layer[] DefaultNetLayers =
    [
        new Conv2d(16, 3, 1, 0, false, 0), new ReLU(false), new BatchNorm2d(0.1, 1E-05), new Dropout(0.05, false),
        new Conv2d(24, 3, 1, 0, false, 0), new ReLU(false), new BatchNorm2d(0.1, 1E-05), new Dropout(0.05, false),
        new MaxPool2d(2, 0, false), new Conv2d(12, 1, 1, 0, false, 0),
        new Conv2d(16, 3, 1, 0, false, 0), new ReLU(false), new BatchNorm2d(0.1, 1E-05), new Dropout(0.05, false),
        new Conv2d(24, 3, 1, 0, false, 0), new ReLU(false), new BatchNorm2d(0.1, 1E-05), new Dropout(0.05, false),
        new Conv2d(32, 3, 1, 0, false, 0), new ReLU(false), new BatchNorm2d(0.1, 1E-05),
        new GlobalAvgPool2d(false), new Linear(10, true, 0), new LogSoftmax(false),
    ];

    private static bool IsDefaultNet(NetworkDefinition definition) =>
        definition.Input == Shape.Map(1, 28, 28) && definition.Classes == 10 && definition.Layers.SequenceEqual(DefaultNetLayers);
}
