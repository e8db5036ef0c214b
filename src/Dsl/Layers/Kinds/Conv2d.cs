using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

public sealed record Conv2d(int OutChannels, int KernelSize, int Stride = LayerDefaults.Stride, int Padding = LayerDefaults.Padding,
    bool Bias = LayerDefaults.Bias, int InChannels = LayerDefaults.InferredInput) : Layer
{
    public override LayerKind Kind => LayerKind.Conv2d;

    public override string MemberStem => "conv";

    public override System.Collections.Generic.IReadOnlyList<string> StateEntries => Bias ? WeightAndBias : WeightOnly;

    /// <summary>torch.nn's weight is [out, in, k, k].</summary>
    public override long[] StateShape(string entry, Shape input, Shape output) =>
        entry == "weight" ? new long[] { OutChannels, input.Channels, KernelSize, KernelSize } : base.StateShape(entry, input, output);

    internal override LayerStep? Step(LayerChecks check)
    {
        var input = check.Input;
        if (!(check.Positive(OutChannels, nameof(OutChannels)) & check.Positive(KernelSize, nameof(KernelSize)) & check.Positive(Stride, nameof(Stride)))) return null;
        if (Padding < 0) { check.Fail(Rule.NonPositiveSize, $"{check.Where()} has Padding = {Padding}; it must not be negative", nameof(Padding)); return null; }
        if (!check.NeedsMap()) return null;
        if (InChannels != 0 && InChannels != input.Channels)
        {
            check.Fail(Rule.InputSizeMismatch, $"{check.Where()} declares InChannels = {InChannels} but the layer before it gives {input.Channels} channels", nameof(InChannels));
            return null;
        }
        if (!check.Fits(KernelSize, Padding, nameof(KernelSize))) return null;
        // Checked: a huge padding or kernel must be reported (the caller catches the overflow), not wrap.
        var h = checked((int)((input.Height + 2L * Padding - KernelSize) / Stride + 1));
        var w = checked((int)((input.Width + 2L * Padding - KernelSize) / Stride + 1));
        var weights = checked((long)OutChannels * input.Channels * KernelSize * KernelSize);
        return new LayerStep(Shape.Map(OutChannels, h, w), checked(weights + (Bias ? OutChannels : 0)), KernelSize, Stride, checked(weights * h * w));
    }

    public override LayerCall TorchModule(Shape input) => new("nn.Conv2d", CallArgument.Of(input.Channels), CallArgument.Of(OutChannels),
        CallArgument.Of(KernelSize), CallArgument.Of(Stride), CallArgument.Of(Padding), CallArgument.Of(Bias, "bias"));

    public override LayerCall? TorchFunctional => null;

    public override LayerCall EngineCall(LayerReport report, string? member) => new("Conv2d", CallArgument.Of(member ?? ""),
        CallArgument.Of(report.Input.Channels, "inChannels"), CallArgument.Of(OutChannels, "outChannels"), CallArgument.Of(KernelSize, "kernel"),
        CallArgument.Of(Stride, "stride"), CallArgument.Of(Padding, "padding"), CallArgument.Of(Bias, "bias"));

    public override string Describe(Shape input) =>
        string.Format(CultureInfo.InvariantCulture, "Conv2d {0} → {1}, {2}×{2}", input.Channels, OutChannels, KernelSize)
        + (Stride != 1 ? string.Format(CultureInfo.InvariantCulture, ", stride {0}", Stride) : "")
        + (Padding != 0 ? string.Format(CultureInfo.InvariantCulture, ", padding {0}", Padding) : "")
        + (Bias ? "" : ", no bias");
}
