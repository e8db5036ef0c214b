using System;
using System.Linq;
using Mnist.Dsl.Engine.Trainers;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The engine's public types are a promise to every project that references Mnist.Dsl.Training (which carries the engine
/// in its lib folder): what the generated trainers name and what a loop over a trainer needs, nothing more. A type made
/// public by accident fails here; one made public on purpose is added to this list in the same change.
/// </summary>
public sealed class PublicSurfaceTests
{
    private static readonly string[] Expected =
    [
        "Mnist.Dsl.Engine.Composition.TrainerBlueprint",
        "Mnist.Dsl.Engine.Optim.Adam",
        "Mnist.Dsl.Engine.Optim.IOptimizer",
        "Mnist.Dsl.Engine.Optim.OneCycleLR",
        "Mnist.Dsl.Engine.Optim.ReduceLROnPlateau",
        "Mnist.Dsl.Engine.Optim.Sgd",
        "Mnist.Dsl.Engine.Optim.StepLR",
        "Mnist.Dsl.Engine.RegisteredNetworkTrainers",
        "Mnist.Dsl.Engine.Simd.SimdWidth",
        "Mnist.Dsl.Engine.Trainers.ITrainer",
        "Mnist.Dsl.Engine.Trainers.ParameterLayout",
        "Mnist.Dsl.Engine.Trainers.TrainerOptions",
    ];

    [Fact]
    public void Exports_only_what_generated_code_and_a_training_loop_use()
    {
        var exported = typeof(ITrainer).Assembly.GetExportedTypes().Select(t => t.FullName!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(Expected, exported);
    }
}
