using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Dropout: the two kinds differ in what they zero (single activations, whole channels of a map).</summary>
public abstract record DropoutLayer(double P, bool Functional) : Layer
{
    public override bool IsFunctional => Functional;

    public override LayerForm Form => LayerForm.Identity;

    public override string MemberStem => "dropout";

    internal override LayerStep? Step(LayerChecks check) => check.Probability(P) && TakesInput(check) ? LayerStep.Keep(check.Input) : null;

    private protected virtual bool TakesInput(LayerChecks check) => true;

    public override LayerCall TorchModule(Shape input) => new("nn." + ModuleName, CallArgument.Of(P));

    public override LayerCall? TorchFunctional =>
        new("nn.functional." + ModuleName.ToLowerInvariant(), CallArgument.Input, CallArgument.Of(P), CallArgument.Training);

    public override LayerCall EngineCall(LayerReport report, string? member) => new(ModuleName, CallArgument.Of(P));

    public override string Describe(Shape input) => string.Format(CultureInfo.InvariantCulture, "{0}({1})", ModuleName, P);
}

/// <summary>Zeroes activations with probability p while training.</summary>
public sealed record Dropout(double P = LayerDefaults.DropoutProbability, bool Functional = LayerDefaults.Functional) : DropoutLayer(P, Functional)
{
    public override LayerKind Kind => LayerKind.Dropout;
}

/// <summary>Zeroes whole channels of a [C, H, W] map with probability p while training.</summary>
public sealed record Dropout2d(double P = LayerDefaults.DropoutProbability, bool Functional = LayerDefaults.Functional) : DropoutLayer(P, Functional)
{
    public override LayerKind Kind => LayerKind.Dropout2d;

    private protected override bool TakesInput(LayerChecks check) => check.NeedsMap();
}
