using System;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Registry;

namespace Mnist.Dsl.Engine;

/// <summary>The typed door to a registered network's generated trainer (Mnist.Dsl cannot name the engine's types).</summary>
public static class RegisteredNetworkTrainers
{
    /// <summary>A new trainer for <paramref name="network"/>; throws with the reason when the generator emitted none.</summary>
    /// <remarks>
    /// Call it as <c>RegisteredNetworkTrainers.CreateTrainer(network, options)</c> (or <c>network.CreateTrainer&lt;ITrainer&gt;(options)</c>):
    /// written <c>network.CreateTrainer(options)</c>, C# binds RegisteredNetwork's own CreateTrainer(object) (an instance
    /// method always wins over an extension), which returns object.
    /// </remarks>
    public static ITrainer CreateTrainer(this RegisteredNetwork network, TrainerOptions options)
    {
        if (options is null) throw new ArgumentNullException(nameof(options));
        return network.CreateTrainer((object)options) as ITrainer
            ?? throw new InvalidCastException($"{network.FullName}'s trainer factory did not return an {nameof(ITrainer)}: was its assembly built against another Mnist.Dsl.Engine?");
    }
}
