namespace Mnist.Dsl.Analysis;

/// <summary>The rules a network is checked against. The number is the diagnostic's (MNIST0001, ...).</summary>
public enum Rule
{
    ParameterBudgetExceeded = 1,
    MissingBatchNorm = 2,
    MissingDropout = 3,
    MissingGlobalAvgPool = 4,
    MissingFullyConnected = 5,
    KernelLargerThanInput = 6,
    NonPositiveSize = 7,
    InputSizeMismatch = 8,
    WrongInputRank = 9,
    OutputNotClasses = 10,
    InvalidArgument = 11,
    ReceptiveFieldSmallerThanInput = 14,
    GroupsDoNotDivideChannels = 20,
}

/// <summary>
/// One broken rule. <see cref="LayerIndex"/> is the position of the layer at fault in declaration order
/// (-1 when the network as a whole is at fault); <see cref="Argument"/> names the attribute argument at
/// fault when there is one (e.g. "KernelSize"), so a diagnostic can point at it.
/// </summary>
public sealed record RuleViolation(Rule Rule, int LayerIndex, string Message, string? Argument = null)
{
    public string Id => "MNIST" + ((int)Rule).ToString("0000", System.Globalization.CultureInfo.InvariantCulture);

    public bool IsWarning => Rule == Rule.ReceptiveFieldSmallerThanInput;

    public override string ToString() => $"{Id}: {Message}";
}
