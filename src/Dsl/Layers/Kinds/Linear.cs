using System.Collections.Generic;
using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>A fully connected layer over a vector (or a [C, 1, 1] map, flattened first).</summary>
public sealed record Linear(int OutFeatures, bool Bias = LayerDefaults.Bias, int InFeatures = LayerDefaults.InferredInput) : Layer
{
    public override LayerKind Kind => LayerKind.Linear;

    public override LayerForm Form => LayerForm.Linear;

    public override string MemberStem => "fc";

    public override IReadOnlyList<string> StateEntries => Bias ? WeightAndBias : WeightOnly;

    /// <summary>torch.nn's weight is [out, in].</summary>
    public override long[] StateShape(string entry, Shape input, Shape output) =>
        entry == "weight" ? new long[] { OutFeatures, input.Channels } : base.StateShape(entry, input, output);

    internal override LayerStep? Step(LayerChecks check)
    {
        var input = check.Input;
        if (!check.Positive(OutFeatures, nameof(OutFeatures))) return null;
        if (!input.IsFlat && !input.IsPointMap)
        {
            check.Fail(Rule.WrongInputRank, $"{check.Where()} gets the map {input}; put Flatten or GlobalAvgPool2d before it");
            return null;
        }
        var features = input.Channels;
        if (InFeatures != 0 && InFeatures != features)
        {
            check.Fail(Rule.InputSizeMismatch,
                $"{check.Where()} declares InFeatures = {InFeatures} but the layer before it gives {features} features", nameof(InFeatures));
            return null;
        }
        // A Linear over a flattened n×n map sees all of it at once: for the receptive field it is an n×n window.
        var span = check.PendingFlattenSpan;
        check.PendingFlattenSpan = 1;
        var weights = (long)features * OutFeatures;
        return new LayerStep(Shape.Flat(OutFeatures), weights + (Bias ? OutFeatures : 0), span, span, weights);
    }

    public override LayerCall TorchModule(Shape input) =>
        new("nn.Linear", CallArgument.Of(input.Channels), CallArgument.Of(OutFeatures), CallArgument.Of(Bias));

    public override LayerCall? TorchFunctional => null;

    public override LayerCall EngineCall(LayerReport report, string? member) => new("Linear", CallArgument.Of(member ?? ""),
        CallArgument.Of(report.Input.Elements), CallArgument.Of(OutFeatures), CallArgument.Of(Bias));

    public override string Describe(Shape input) =>
        string.Format(CultureInfo.InvariantCulture, "Linear {0} → {1}", input.Channels, OutFeatures) + (Bias ? "" : ", no bias");
}
