using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>
/// 2-D convolution. <see cref="Groups"/> splits the channels into that many independent convolutions (torch.nn.Conv2d's
/// groups): each output channel sees InChannels / Groups input channels; Groups equal to both channel counts is a
/// depthwise convolution. Last so that positional uses written before it keep their meaning.
/// </summary>
public sealed record Conv2d(int OutChannels, int KernelSize, int Stride = LayerDefaults.Stride, int Padding = LayerDefaults.Padding,
    bool Bias = LayerDefaults.Bias, int InChannels = LayerDefaults.InferredInput, int Groups = LayerDefaults.Groups) : Layer
{
    public override LayerKind Kind => LayerKind.Conv2d;

    public override LayerForm Form => LayerForm.Convolution;

    public override string MemberStem => "conv";

    public override System.Collections.Generic.IReadOnlyList<string> StateEntries => Bias ? WeightAndBias : WeightOnly;

    /// <summary>torch.nn's weight is [out, in / groups, k, k].</summary>
    public override long[] StateShape(string entry, Shape input, Shape output) =>
        entry == "weight" ? new long[] { OutChannels, input.Channels / Groups, KernelSize, KernelSize } : base.StateShape(entry, input, output);

    /// <summary>One filter per channel.</summary>
    public bool IsDepthwise(int inChannels) => Groups > 1 && Groups == inChannels && Groups == OutChannels;

    internal override LayerStep? Step(LayerChecks check)
    {
        var input = check.Input;
        var positive = check.Positive(OutChannels, nameof(OutChannels)) & check.Positive(KernelSize, nameof(KernelSize))
            & check.Positive(Stride, nameof(Stride));
        if (!positive) return null;
        if (Padding < 0)
        {
            check.Fail(Rule.NonPositiveSize, $"{check.Where()} has Padding = {Padding}; it must not be negative", nameof(Padding));
            return null;
        }
        if (!check.NeedsMap()) return null;
        if (InChannels != 0 && InChannels != input.Channels)
        {
            check.Fail(Rule.InputSizeMismatch,
                $"{check.Where()} declares InChannels = {InChannels} but the layer before it gives {input.Channels} channels", nameof(InChannels));
            return null;
        }
        if (Groups < 1 || input.Channels % Groups != 0 || OutChannels % Groups != 0)
        {
            check.Fail(Rule.GroupsDoNotDivideChannels, GroupsMessage(check.Where(), Groups, input.Channels, OutChannels), nameof(Groups));
            return null;
        }
        if (!check.Fits(KernelSize, Padding, nameof(KernelSize))) return null;
        // Checked: a huge padding or kernel must be reported (the caller catches the overflow), not wrap.
        var h = checked((int)((input.Height + 2L * Padding - KernelSize) / Stride + 1));
        var w = checked((int)((input.Width + 2L * Padding - KernelSize) / Stride + 1));
        // Each output channel sees its group's InChannels / Groups input channels.
        var weights = checked((long)OutChannels * (input.Channels / Groups) * KernelSize * KernelSize);
        return new LayerStep(Shape.Map(OutChannels, h, w), checked(weights + (Bias ? OutChannels : 0)), KernelSize, Stride, checked(weights * h * w));
    }

    /// <summary>Groups are passed only when not 1, so the code of an ordinary convolution reads as it did before groups existed.</summary>
    public override LayerCall TorchModule(Shape input) => new("nn.Conv2d", WithGroups(
        new[] { CallArgument.Of(input.Channels), CallArgument.Of(OutChannels), CallArgument.Of(KernelSize), CallArgument.Of(Stride),
            CallArgument.Of(Padding) },
        CallArgument.Of(Bias, "bias")));

    public override LayerCall? TorchFunctional => null;

    public override LayerCall EngineCall(LayerReport report, string? member) => new("Conv2d", WithGroups(new[] { CallArgument.Of(member ?? ""),
        CallArgument.Of(report.Input.Channels, "inChannels"), CallArgument.Of(OutChannels, "outChannels"), CallArgument.Of(KernelSize, "kernel"),
        CallArgument.Of(Stride, "stride"), CallArgument.Of(Padding, "padding"), CallArgument.Of(Bias, "bias") }));

    private CallArgument[] WithGroups(CallArgument[] arguments, params CallArgument[] after) =>
        Groups == 1 ? arguments.Concat(after).ToArray() : arguments.Concat(new[] { CallArgument.Of(Groups, "groups") }).Concat(after).ToArray();

    public override string Describe(Shape input) =>
        string.Format(CultureInfo.InvariantCulture, "Conv2d {0} → {1}, {2}×{2}", input.Channels, OutChannels, KernelSize)
        + (Stride != 1 ? string.Format(CultureInfo.InvariantCulture, ", stride {0}", Stride) : "")
        + (Padding != 0 ? string.Format(CultureInfo.InvariantCulture, ", padding {0}", Padding) : "")
        + (Groups == 1 ? "" : IsDepthwise(input.Channels) ? ", depthwise" : string.Format(CultureInfo.InvariantCulture, ", {0} groups", Groups))
        + (Bias ? "" : ", no bias");

    /// <summary>
    /// Groups that do not split both channel counts evenly, with the values that would: the common divisors, largest
    /// first ("8, 4, 2 or 1"), so the user sees the depthwise choice (their greatest common divisor) and the plain one (1).
    /// </summary>
    private static string GroupsMessage(string where, int groups, int inChannels, int outChannels)
    {
        // The common divisors are the divisors of the greatest common one, found up to its square root: channel counts
        // come straight from attributes and may be near int.MaxValue, where counting up to them would stall the analyzer.
        int gcd = inChannels, rest = outChannels;
        while (rest != 0) (gcd, rest) = (rest, gcd % rest);
        var divisors = new List<int>();
        for (var d = 1; (long)d * d <= gcd; d++)
            if (gcd % d == 0) divisors.AddRange(d == gcd / d ? new[] { d } : new[] { d, gcd / d });
        divisors.Sort((x, y) => y.CompareTo(x));
        if (divisors.Count > 6) divisors = divisors.Take(5).Concat(new[] { 1 }).ToList();
        var choices = divisors.Count == 1 ? "1" : string.Join(", ", divisors.Take(divisors.Count - 1)) + " or 1";
        var depthwise = inChannels == outChannels ? $" ({inChannels} is depthwise)" : "";
        return string.Format(CultureInfo.InvariantCulture,
            "{0} has Groups = {1}, which must divide both its input channels ({2}) and its output channels ({3}): use {4}{5}",
            where, groups, inChannels, outChannels, choices, depthwise);
    }
}
