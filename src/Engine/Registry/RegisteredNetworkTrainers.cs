using Mnist.Dsl.Registry;

namespace Mnist.Dsl.Engine;

/// <summary>The typed door to a registered network's generated trainer (Mnist.Dsl cannot name the engine's types).</summary>
public static class RegisteredNetworkTrainers
{
    /// <summary>A new trainer for <paramref name="network"/>; throws with the reason when the generator emitted none.</summary>
    public static ITrainer CreateTrainer(this RegisteredNetwork network, TrainerOptions options)
    {
        if (network is null) throw new ArgumentNullException(nameof(network));
        if (options is null) throw new ArgumentNullException(nameof(options));
        return network.CreateTrainer<TrainerOptions, ITrainer>(options);
    }
}
