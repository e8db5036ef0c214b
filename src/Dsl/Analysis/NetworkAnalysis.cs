using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Analysis;

/// <summary>
/// Walks a network's layers from its input: each layer's output shape, parameters, receptive field, jump
/// and multiply-adds, then the rules (budget, required layers, shapes). The one implementation the
/// generator, the analyzer, the runtime checks and F# code all use.
/// </summary>
public static class NetworkAnalysis
{
    public static NetworkReport Analyze(NetworkDefinition network)
    {
        var violations = new List<RuleViolation>();
        var reports = new List<LayerReport>();
        var shape = network.Input;
        int receptiveField = 1, jump = 1, rows = 0;
        var pendingFlattenSpan = 1; // an n×n map flattened into features that the next Linear mixes as one n×n window
        var shapesWork = CheckInput(network, violations);

        for (var i = 0; i < network.Layers.Count && shapesWork; i++)
        {
            var layer = network.Layers[i];
            // Sizes come straight from attributes, so they can be anything an int holds: the arithmetic on them is
            // checked (here and in Step), and a layer whose sizes overflow is reported instead of throwing (the
            // generator and analyzer must never throw) or wrapping into a garbage shape.
            try
            {
                checked
                {
                    var step = Step(network, i, layer, shape, ref pendingFlattenSpan, violations);
                    if (step is null)
                    {
                        shapesWork = false;
                        break;
                    }
                    var (output, parameters, kernel, stride, macs) = step.Value;
                    _ = (long)output.Channels * output.Height * output.Width;
                    receptiveField += (kernel - 1) * jump;
                    jump *= stride;
                    var rowName = layer.IsFunctional ? null : $"{layer.ModuleName}-{++rows}";
                    reports.Add(new LayerReport(i, layer, rowName, shape, output, parameters, receptiveField, jump, macs));
                    shape = output;
                }
            }
            catch (OverflowException)
            {
                violations.Add(new RuleViolation(Rule.InvalidArgument, i,
                    $"{layer.ModuleName} (layer {i + 1} of {network.Name}) gets the input {shape} and has sizes too large to compute its output, parameters, multiply-adds or receptive field"));
                shapesWork = false;
            }
        }

        NetworkSummary? summary = null;
        if (shapesWork)
        {
            try
            {
                summary = new NetworkSummary(network.Name, network.Input, reports);
            }
            catch (OverflowException)
            {
                // Every layer's numbers fit, but their totals do not.
                violations.Add(new RuleViolation(Rule.InvalidArgument, -1,
                    $"{network.Name}'s layers are too large: their total parameters, multiply-adds or activation sizes overflow"));
                CheckRequiredLayers(network, reports, violations);
                return new NetworkReport(network, null, violations);
            }
            CheckOutput(network, shape, violations);
            CheckBudget(network, summary, violations);
            var inputSide = Math.Max(network.Input.Height, network.Input.Width);
            if (receptiveField < inputSide)
                violations.Add(new RuleViolation(Rule.ReceptiveFieldSmallerThanInput, -1,
                    $"{network.Name}'s receptive field at the output is {receptiveField}×{receptiveField} pixels, smaller than its {network.Input.Height}×{network.Input.Width} input: no output sees the whole image"));
        }
        CheckRequiredLayers(network, reports, violations);
        return new NetworkReport(network, summary, violations);
    }

    private static (Shape output, long parameters, int kernel, int stride, long macs)? Step(
        NetworkDefinition network, int index, Layer layer, Shape input, ref int pendingFlattenSpan, List<RuleViolation> violations)
    {
        string Where() => $"{layer.ModuleName} (layer {index + 1} of {network.Name})";
        bool Fail(Rule rule, string message, string? argument = null)
        {
            violations.Add(new RuleViolation(rule, index, message, argument));
            return false;
        }
        bool Positive(int value, string argument) =>
            value > 0 || Fail(Rule.NonPositiveSize, $"{Where()} has {argument} = {value}; it must be positive", argument);
        bool NeedsMap() =>
            !input.IsFlat || Fail(Rule.WrongInputRank, $"{Where()} needs a [C, H, W] map but its input is the vector {input}");
        bool Probability(double p) =>
            p is >= 0 and < 1 || Fail(Rule.InvalidArgument, $"{Where()} has p = {p.ToString(CultureInfo.InvariantCulture)}; a dropout probability must be in [0, 1)", "P");
        bool BatchNormArguments(double momentum, double eps) =>
            (momentum is >= 0 and <= 1 || Fail(Rule.InvalidArgument, $"{Where()} has Momentum = {momentum.ToString(CultureInfo.InvariantCulture)}; it must be in [0, 1]", "Momentum"))
            && (eps > 0 && !double.IsPositiveInfinity(eps) || Fail(Rule.InvalidArgument, $"{Where()} has Eps = {eps.ToString(CultureInfo.InvariantCulture)}; it must be positive and finite", "Eps"));
        bool Fits(int kernel, int padding, string argument) =>
            (kernel <= input.Height + 2L * padding && kernel <= input.Width + 2L * padding)
            || Fail(Rule.KernelLargerThanInput,
                $"{Where()} has a {kernel}×{kernel} kernel but its input is {input.Height}×{input.Width}" + (padding > 0 ? $" ({input.Height + 2L * padding}×{input.Width + 2L * padding} padded)" : ""),
                argument);

        switch (layer)
        {
            case Conv2d c:
                if (!(Positive(c.OutChannels, nameof(c.OutChannels)) & Positive(c.KernelSize, nameof(c.KernelSize)) & Positive(c.Stride, nameof(c.Stride)))) return null;
                if (c.Padding < 0) { Fail(Rule.NonPositiveSize, $"{Where()} has Padding = {c.Padding}; it must not be negative", nameof(c.Padding)); return null; }
                if (!NeedsMap()) return null;
                if (c.InChannels != 0 && c.InChannels != input.Channels)
                {
                    Fail(Rule.InputSizeMismatch, $"{Where()} declares InChannels = {c.InChannels} but the layer before it gives {input.Channels} channels", nameof(c.InChannels));
                    return null;
                }
                if (c.Groups < 1 || input.Channels % c.Groups != 0 || c.OutChannels % c.Groups != 0)
                {
                    Fail(Rule.GroupsDoNotDivideChannels, GroupsMessage(Where(), c.Groups, input.Channels, c.OutChannels), nameof(c.Groups));
                    return null;
                }
                if (!Fits(c.KernelSize, c.Padding, nameof(c.KernelSize))) return null;
                {
                    // Checked: a huge padding or kernel must be reported (the caller catches the overflow), not wrap.
                    var h = checked((int)((input.Height + 2L * c.Padding - c.KernelSize) / c.Stride + 1));
                    var w = checked((int)((input.Width + 2L * c.Padding - c.KernelSize) / c.Stride + 1));
                    // Each output channel sees its group's InChannels / Groups input channels.
                    var weights = checked((long)c.OutChannels * (input.Channels / c.Groups) * c.KernelSize * c.KernelSize);
                    return (Shape.Map(c.OutChannels, h, w), checked(weights + (c.Bias ? c.OutChannels : 0)), c.KernelSize, c.Stride, checked(weights * h * w));
                }
            case BatchNorm2d bn:
                if (!BatchNormArguments(bn.Momentum, bn.Eps) || !NeedsMap()) return null;
                return (input, 2L * input.Channels, 1, 1, 0);
            case BatchNorm1d bn:
                if (!BatchNormArguments(bn.Momentum, bn.Eps)) return null;
                if (!input.IsFlat) { Fail(Rule.WrongInputRank, $"{Where()} needs a [features] vector but its input is the map {input}; use BatchNorm2d, or Flatten first"); return null; }
                return (input, 2L * input.Channels, 1, 1, 0);
            case ReLU or LogSoftmax:
                return (input, 0, 1, 1, 0);
            case Dropout d:
                return Probability(d.P) ? (input, 0, 1, 1, 0) : null;
            case Dropout2d d:
                return Probability(d.P) && NeedsMap() ? (input, 0, 1, 1, 0) : null;
            case MaxPool2d or AvgPool2d:
                {
                    var (kernel, stride, strideArgument) = layer is MaxPool2d m ? (m.KernelSize, m.EffectiveStride, m.Stride) : (((AvgPool2d)layer).KernelSize, ((AvgPool2d)layer).EffectiveStride, ((AvgPool2d)layer).Stride);
                    if (!Positive(kernel, "KernelSize")) return null;
                    if (strideArgument < 0) { Fail(Rule.NonPositiveSize, $"{Where()} has Stride = {strideArgument}; it must be positive (or 0 for the kernel size)", "Stride"); return null; }
                    if (!NeedsMap() || !Fits(kernel, 0, "KernelSize")) return null;
                    var h = (input.Height - kernel) / stride + 1;
                    var w = (input.Width - kernel) / stride + 1;
                    return (Shape.Map(input.Channels, h, w), 0, kernel, stride, 0);
                }
            case GlobalAvgPool2d:
                {
                    if (!NeedsMap()) return null;
                    var side = Math.Max(input.Height, input.Width);
                    return (Shape.Map(input.Channels, 1, 1), 0, side, side, 0);
                }
            case Flatten:
                if (!input.IsFlat && !input.IsPointMap) pendingFlattenSpan = Math.Max(input.Height, input.Width);
                return (Shape.Flat(checked((int)input.Elements)), 0, 1, 1, 0);
            case Linear l:
                {
                    if (!Positive(l.OutFeatures, nameof(l.OutFeatures))) return null;
                    if (!input.IsFlat && !input.IsPointMap)
                    {
                        Fail(Rule.WrongInputRank, $"{Where()} gets the map {input}; put Flatten or GlobalAvgPool2d before it");
                        return null;
                    }
                    var features = input.Channels;
                    if (l.InFeatures != 0 && l.InFeatures != features)
                    {
                        Fail(Rule.InputSizeMismatch, $"{Where()} declares InFeatures = {l.InFeatures} but the layer before it gives {features} features", nameof(l.InFeatures));
                        return null;
                    }
                    // A Linear over a flattened n×n map sees all of it at once: for the receptive field it is an n×n window.
                    var span = pendingFlattenSpan;
                    pendingFlattenSpan = 1;
                    var weights = (long)features * l.OutFeatures;
                    return (Shape.Flat(l.OutFeatures), weights + (l.Bias ? l.OutFeatures : 0), span, span, weights);
                }
            default:
                // Every LayerKind has its case above; the generator tests walk each kind through here (LayerKindTests).
                throw new ArgumentException($"the layer algebra has no case for layer kind {layer.Kind} ({layer.GetType().Name})");
        }
    }

    /// <summary>
    /// Groups that do not split both channel counts evenly, with the values that would: the common divisors, largest
    /// first ("8, 4, 2 or 1"), so the user sees the depthwise choice (their greatest common divisor) and the plain one (1).
    /// </summary>
    private static string GroupsMessage(string where, int groups, int inChannels, int outChannels)
    {
        var divisors = Enumerable.Range(1, Math.Min(inChannels, outChannels)).Where(d => inChannels % d == 0 && outChannels % d == 0).Reverse().ToList();
        if (divisors.Count > 6) divisors = divisors.Take(5).Concat(new[] { 1 }).ToList();
        var choices = divisors.Count == 1 ? "1" : string.Join(", ", divisors.Take(divisors.Count - 1)) + " or 1";
        var depthwise = inChannels == outChannels ? $" ({inChannels} is depthwise)" : "";
        return string.Format(CultureInfo.InvariantCulture,
            "{0} has Groups = {1}, which must divide both its input channels ({2}) and its output channels ({3}): use {4}{5}",
            where, groups, inChannels, outChannels, choices, depthwise);
    }

    /// <summary>The declared input: every side positive, and few enough values per image to index (the attribute takes any int).</summary>
    private static bool CheckInput(NetworkDefinition network, List<RuleViolation> violations)
    {
        var input = network.Input;
        var ok = true;
        foreach (var (value, argument) in new[] { (input.Channels, "Channels"), (input.Height, "Height"), (input.Width, "Width") })
            if (value <= 0)
            {
                violations.Add(new RuleViolation(Rule.NonPositiveSize, -1, $"{network.Name} has {argument} = {value}; its input sizes must be positive", argument));
                ok = false;
            }
        if (ok && (double)input.Channels * input.Height * input.Width > int.MaxValue)
        {
            violations.Add(new RuleViolation(Rule.InvalidArgument, -1, string.Format(CultureInfo.InvariantCulture,
                "{0}'s input {1}×{2}×{3} has {4:N0} values per image, more than {5:N0}", network.Name, input.Channels, input.Height, input.Width,
                (long)input.Channels * input.Height * input.Width, int.MaxValue)));
            ok = false;
        }
        return ok;
    }

    private static void CheckOutput(NetworkDefinition network, Shape output, List<RuleViolation> violations)
    {
        var last = network.Layers.Count - 1;
        var producer = Enumerable.Range(0, network.Layers.Count).LastOrDefault(i => network.Layers[i] is Conv2d or Linear);
        if (!output.IsFlat && !output.IsPointMap)
        {
            violations.Add(new RuleViolation(Rule.OutputNotClasses, last,
                $"{network.Name} ends with the map {output}; its output must be [-1, {network.Classes}] (one value per class): add GlobalAvgPool2d or Flatten, and a Linear({network.Classes})"));
            return;
        }
        if (output.Channels != network.Classes)
        {
            var argument = network.Layers.Count > 0 && network.Layers[producer] is Linear ? nameof(Linear.OutFeatures) : nameof(Conv2d.OutChannels);
            violations.Add(new RuleViolation(Rule.OutputNotClasses, network.Layers.Count > 0 ? producer : -1,
                $"{network.Name} produces {output.Channels} outputs per image but has {network.Classes} classes", argument));
        }
    }

    private static void CheckBudget(NetworkDefinition network, NetworkSummary summary, List<RuleViolation> violations)
    {
        // The budget is an exclusive bound, as the assignment words it ("fewer than 20,000 parameters"): a network
        // of exactly 20,000 breaks it, and "too many" counts from the largest count it allows (budget - 1).
        if (summary.TotalParameters < network.ParameterBudget) return;
        violations.Add(new RuleViolation(Rule.ParameterBudgetExceeded, -1, string.Format(CultureInfo.InvariantCulture,
            "{0} has {1:N0} parameters, {2:N0} too many for its budget of fewer than {3:N0}", network.Name, summary.TotalParameters,
            summary.TotalParameters - network.ParameterBudget + 1, network.ParameterBudget)));
    }

    private static void CheckRequiredLayers(NetworkDefinition network, IReadOnlyList<LayerReport> reports, List<RuleViolation> violations)
    {
        void Require(RequiredLayers flag, Rule rule, bool present, string what)
        {
            if ((network.Requires & flag) != 0 && !present)
                violations.Add(new RuleViolation(rule, -1,
                    $"{network.Name} has no {what}; the assignment requires one (or leave RequiredLayers.{flag} out of Requires to switch this rule off for this network)"));
        }
        var layers = network.Layers;
        Require(RequiredLayers.BatchNorm, Rule.MissingBatchNorm, layers.Any(l => l is BatchNorm2d or BatchNorm1d), "BatchNorm layer");
        Require(RequiredLayers.Dropout, Rule.MissingDropout, layers.Any(l => l is Dropout or Dropout2d), "Dropout layer");
        // An average pool whose window covers the whole map (the seeds' "GAP(3)" on a 3×3 map) is global pooling too.
        Require(RequiredLayers.GlobalAvgPool, Rule.MissingGlobalAvgPool,
            layers.Any(l => l is GlobalAvgPool2d) || reports.Any(r => r.Layer is AvgPool2d && r.Output.IsPointMap && r.Input.Height == ((AvgPool2d)r.Layer).KernelSize),
            "global average pooling (GlobalAvgPool2d)");
        Require(RequiredLayers.FullyConnected, Rule.MissingFullyConnected, layers.Any(l => l is Linear), "fully connected layer (Linear)");
    }
}

/// <summary>The result of <see cref="NetworkAnalysis.Analyze"/>: the summary (null when the shapes do not work) and every broken rule.</summary>
public sealed record NetworkReport(NetworkDefinition Network, NetworkSummary? Summary, IReadOnlyList<RuleViolation> Violations)
{
    /// <summary>No errors (warnings allowed): the generator can emit the network.</summary>
    public bool IsValid => Summary is not null && Violations.All(v => v.IsWarning);
}
