using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>
/// A layer without state that may be applied as a functional call. Unless the kind says otherwise it keeps its input's
/// shape, its module is torch.nn's of its name with no arguments, its engine call the blueprint method of its kind's
/// name with none, and documentation names it by its module: what ReLU, LogSoftmax, Flatten and the like share.
/// </summary>
public abstract record StatelessLayer(bool Functional) : Layer
{
    public override bool IsFunctional => Functional;

    internal override LayerStep? Step(LayerChecks check) => LayerStep.Keep(check.Input);

    public override LayerCall TorchModule(Shape input) => new("nn." + ModuleName);

    public override LayerCall EngineCall(LayerReport report, string? member) => new(Kind.ToString());

    public override string Describe(Shape input) => ModuleName;
}
