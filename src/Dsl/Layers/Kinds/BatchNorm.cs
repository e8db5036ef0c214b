using System.Collections.Generic;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>Batch normalisation: the two kinds differ only in the input they take (a [C, H, W] map, a [features] vector).</summary>
public abstract record BatchNormLayer(double Momentum, double Eps) : Layer
{
    private static readonly string[] State = { "weight", "bias", "running_mean", "running_var", "num_batches_tracked" };

    public override LayerForm Form => LayerForm.BatchNorm;

    public override string MemberStem => "bn";

    public override IReadOnlyList<string> StateEntries => State;

    internal override LayerStep? Step(LayerChecks check) =>
        check.BatchNormArguments(Momentum, Eps) && TakesInput(check) ? LayerStep.Keep(check.Input, 2L * check.Input.Channels) : null;

    /// <summary>The input is the rank this kind normalises; else false, the violation reported.</summary>
    private protected abstract bool TakesInput(LayerChecks check);

    /// <summary>torch.nn's BatchNorm takes eps before momentum; the record (and the attribute) momentum first.</summary>
    public override LayerCall TorchModule(Shape input) =>
        new("nn." + ModuleName, CallArgument.Of(input.Channels), CallArgument.Of(Eps), CallArgument.Of(Momentum));

    public override LayerCall? TorchFunctional => null;

    public override LayerCall EngineCall(LayerReport report, string? member) =>
        new(ModuleName, CallArgument.Of(member ?? ""), CallArgument.Of(Momentum), CallArgument.Of(Eps));

    public override string Describe(Shape input) => ModuleName;
}

public sealed record BatchNorm2d(double Momentum = LayerDefaults.BatchNormMomentum, double Eps = LayerDefaults.BatchNormEps)
    : BatchNormLayer(Momentum, Eps)
{
    public override LayerKind Kind => LayerKind.BatchNorm2d;

    private protected override bool TakesInput(LayerChecks check) => check.NeedsMap();
}

public sealed record BatchNorm1d(double Momentum = LayerDefaults.BatchNormMomentum, double Eps = LayerDefaults.BatchNormEps)
    : BatchNormLayer(Momentum, Eps)
{
    public override LayerKind Kind => LayerKind.BatchNorm1d;

    private protected override bool TakesInput(LayerChecks check) =>
        check.Input.IsFlat || check.Fail(Rule.WrongInputRank,
            $"{check.Where()} needs a [features] vector but its input is the map {check.Input}; use BatchNorm2d, or Flatten first");
}
