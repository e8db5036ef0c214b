using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Lowering;

namespace Mnist.Dsl.Engine.Composition;

public sealed partial class TrainerBlueprint
{
    /// <summary>
    /// The blueprint of a network declared at run time (an F# list, any <see cref="NetworkDefinition"/>): the same
    /// units, in the same order, that the generator writes for the same layers (both read <see cref="EngineLowering"/>),
    /// so it trains to the same bits. Throws with the lowering's reason when the engine cannot train the network.
    /// </summary>
    public static TrainerBlueprint For(NetworkDefinition network) => From(EngineLowering.Of(network));

    /// <summary>The blueprint of a lowering; throws with its reason when it was refused.</summary>
    public static TrainerBlueprint From(EngineLowering lowering)
    {
        if (lowering is null) throw new ArgumentNullException(nameof(lowering));
        if (lowering.Unsupported is { } reason) throw new NotSupportedException(reason);
        var network = lowering.Network;
        var blueprint = new TrainerBlueprint(network.Name, network.Input.Channels, network.Input.Height, network.Input.Width, network.Classes);
        foreach (var step in lowering.Steps) blueprint.Add(step);
        return lowering.EndsInLogSoftmax ? blueprint.LogSoftmaxNllLoss() : blueprint.CrossEntropyLoss();
    }

    /// <summary>
    /// The call the generator writes for <paramref name="step"/> (TrainerEmitter), made directly: both read the step's
    /// <see cref="EngineStep.Call"/>, which the layer kind (or the lowering, for a fused unit) describes.
    /// </summary>
    private TrainerBlueprint Add(EngineStep step) =>
        (TrainerBlueprint)LayerCallBinder.Bind(typeof(TrainerBlueprint), instance: true, step.Call).Invoke(this)!;
}
