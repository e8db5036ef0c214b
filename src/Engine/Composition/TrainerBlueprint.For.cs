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

    /// <summary>The call the generator writes for <paramref name="step"/> (TrainerEmitter.Call), made directly. No discard arm.</summary>
    private TrainerBlueprint Add(EngineStep step)
    {
        var report = step.Layer;
        var name = step.Member ?? "";
        var layer = report.Layer;
        return step.Kind switch
        {
            LayerKind.Conv2d when step.BatchNorm?.Layer is BatchNorm2d bn => ConvReluBatchNorm2d(name, step.BatchNormMember!, report.Input.Channels,
                ((Conv2d)layer).OutChannels, ((Conv2d)layer).KernelSize, ((Conv2d)layer).Padding, bn.Momentum, bn.Eps, step.Dropout),
            LayerKind.Conv2d => Conv2d(name, report.Input.Channels, ((Conv2d)layer).OutChannels, ((Conv2d)layer).KernelSize, ((Conv2d)layer).Stride,
                ((Conv2d)layer).Padding, ((Conv2d)layer).Bias, ((Conv2d)layer).Groups),
            LayerKind.BatchNorm2d => BatchNorm2d(name, ((BatchNorm2d)layer).Momentum, ((BatchNorm2d)layer).Eps),
            LayerKind.BatchNorm1d => BatchNorm1d(name, ((BatchNorm1d)layer).Momentum, ((BatchNorm1d)layer).Eps),
            LayerKind.ReLU => ReLU(),
            LayerKind.Dropout => Dropout(((Dropout)layer).P),
            LayerKind.Dropout2d => Dropout2d(((Dropout2d)layer).P),
            LayerKind.MaxPool2d => MaxPool2d(((MaxPool2d)layer).KernelSize, ((MaxPool2d)layer).EffectiveStride),
            LayerKind.AvgPool2d => AvgPool2d(((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).EffectiveStride),
            LayerKind.GlobalAvgPool2d => GlobalAvgPool2d(),
            LayerKind.Flatten => Flatten(),
            LayerKind.Linear => Linear(name, checked((int)report.Input.Elements), ((Linear)layer).OutFeatures, ((Linear)layer).Bias),
            LayerKind.LogSoftmax => LogSoftmax(),
        };
    }
}
