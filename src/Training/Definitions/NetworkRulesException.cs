using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Training.Definitions;

/// <summary>
/// A network definition that breaks a rule, refused at run time as the analyzer refuses a [Network] class at build
/// time: the same checks (<see cref="NetworkAnalysis"/>) and the same message text, one line per broken rule with
/// its id. Warnings (MNIST0014) do not refuse a network, as they do not fail a build.
/// </summary>
public sealed class NetworkRulesException : ArgumentException
{
    public NetworkRulesException(NetworkReport report)
        : base(Describe(report))
    {
        Report = report;
        Errors = report.Violations.Where(v => !v.IsWarning).ToArray();
    }

    /// <summary>The analysis that refused the network.</summary>
    public NetworkReport Report { get; }

    /// <summary>The broken rules that refuse it (no warnings), in the analyzer's order.</summary>
    public IReadOnlyList<RuleViolation> Errors { get; }

    private static string Describe(NetworkReport report)
    {
        var errors = report.Violations.Where(v => !v.IsWarning).ToArray();
        return $"{report.Network.Name} breaks {(errors.Length == 1 ? "a rule" : $"{errors.Length} rules")} of the Mnist.Dsl analyzer, " +
            $"so no module is built for it "
            + "(fix the layers; each rule's fix is in the README's Diagnostics table):\n  "
            + string.Join("\n  ", errors.Select(e => e.ToString()));
    }
}
