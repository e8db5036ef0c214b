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
        var shapesWork = CheckInput(network, violations);
        var check = new LayerChecks(network, violations);

        for (var i = 0; i < network.Layers.Count && shapesWork; i++)
        {
            var layer = network.Layers[i];
            // Sizes come straight from attributes, so they can be anything an int holds: the arithmetic on them is
            // checked (here and in each kind's Step), and a layer whose sizes overflow is reported instead of throwing (the
            // generator and analyzer must never throw) or wrapping into a garbage shape.
            try
            {
                checked
                {
                    // The kind's own algebra (Layers/Kinds): no switch over kinds here.
                    if (layer.Step(check.At(i, layer, shape)) is not { } step)
                    {
                        shapesWork = false;
                        break;
                    }
                    var (output, parameters, kernel, stride, macs) = step;
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
                    $"{layer.ModuleName} (layer {i + 1} of {network.Name}) gets the input {shape} and has sizes too large to compute its output, " +
                        $"parameters, multiply-adds or receptive field"));
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
                    $"{network.Name}'s receptive field at the output is {receptiveField}×{receptiveField} pixels, " +
                        $"smaller than its {network.Input.Height}×{network.Input.Width} input: no output sees the whole image"));
        }
        CheckRequiredLayers(network, reports, violations);
        return new NetworkReport(network, summary, violations);
    }

    /// <summary>The declared input: every side positive, and few enough values per image to index (the attribute takes any int).</summary>
    private static bool CheckInput(NetworkDefinition network, List<RuleViolation> violations)
    {
        var input = network.Input;
        var ok = true;
        foreach (var (value, argument) in new[] { (input.Channels, "Channels"), (input.Height, "Height"), (input.Width, "Width") })
            if (value <= 0)
            {
                violations.Add(new RuleViolation(Rule.NonPositiveSize, -1,
                    $"{network.Name} has {argument} = {value}; its input sizes must be positive", argument));
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
                $"{network.Name} ends with the map {output}; its output must be [-1, {network.Classes}] (one value per class): " +
                    $"add GlobalAvgPool2d or Flatten, and a Linear({network.Classes})"));
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
                    $"{network.Name} has no {what}; the assignment requires one (or leave RequiredLayers.{flag} out of Requires to switch this " +
                        $"rule off for this network)"));
        }
        var layers = network.Layers;
        Require(RequiredLayers.BatchNorm, Rule.MissingBatchNorm, layers.Any(l => l is BatchNorm2d or BatchNorm1d), "BatchNorm layer");
        Require(RequiredLayers.Dropout, Rule.MissingDropout, layers.Any(l => l is Dropout or Dropout2d), "Dropout layer");
        // An average pool whose window covers the whole map (the seeds' "GAP(3)" on a 3×3 map) is global pooling too.
        Require(RequiredLayers.GlobalAvgPool, Rule.MissingGlobalAvgPool,
            layers.Any(l => l is GlobalAvgPool2d)
                || reports.Any(r => r.Layer is AvgPool2d && r.Output.IsPointMap && r.Input.Height == ((AvgPool2d)r.Layer).KernelSize),
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
