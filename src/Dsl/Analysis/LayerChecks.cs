namespace Mnist.Dsl.Analysis;

/// <summary>What a layer kind's algebra gives for one layer: its output, parameters, kernel and stride (receptive field) and multiply-adds.</summary>
public readonly record struct LayerStep(Shape Output, long Parameters, int Kernel, int Stride, long MultiplyAdds)
{
    /// <summary>A layer that keeps its input's shape and has no parameters (ReLU, Dropout, BatchNorm's shape).</summary>
    public static LayerStep Keep(Shape input, long parameters = 0) => new(input, parameters, 1, 1, 0);
}

/// <summary>
/// The checks a layer kind's algebra (<see cref="Layer"/>'s Step) reports its broken rules with, for the layer being
/// analysed: each returns false after adding the violation, with the message naming the layer and the numbers. One
/// instance walks a network; <see cref="PendingFlattenSpan"/> carries a flattened map's side to the Linear after it.
/// </summary>
internal sealed class LayerChecks(NetworkDefinition network, List<RuleViolation> violations)
{
    private int _index;
    private Layer _layer = null!;

    public Shape Input { get; private set; }

    /// <summary>An n×n map flattened into features that the next Linear mixes as one n×n window (1: none pending).</summary>
    public int PendingFlattenSpan { get; set; } = 1;

    public LayerChecks At(int layerIndex, Layer current, Shape input)
    {
        _index = layerIndex;
        _layer = current;
        Input = input;
        return this;
    }

    public string Where() => $"{_layer.ModuleName} (layer {_index + 1} of {network.Name})";

    public bool Fail(Rule rule, string message, string? argument = null)
    {
        violations.Add(new RuleViolation(rule, _index, message, argument));
        return false;
    }

    public bool Positive(int value, string argument) =>
        value > 0 || Fail(Rule.NonPositiveSize, $"{Where()} has {argument} = {value}; it must be positive", argument);

    public bool NeedsMap() =>
        !Input.IsFlat || Fail(Rule.WrongInputRank, $"{Where()} needs a [C, H, W] map but its input is the vector {Input}");

    public bool Probability(double p) =>
        p is >= 0 and < 1 || Fail(Rule.InvalidArgument, $"{Where()} has p = {Text(p)}; a dropout probability must be in [0, 1)", "P");

    public bool BatchNormArguments(double momentum, double eps) =>
        (momentum is >= 0 and <= 1 || Fail(Rule.InvalidArgument, $"{Where()} has Momentum = {Text(momentum)}; it must be in [0, 1]", "Momentum"))
        && (eps > 0 && !double.IsPositiveInfinity(eps)
            || Fail(Rule.InvalidArgument, $"{Where()} has Eps = {Text(eps)}; it must be positive and finite", "Eps"));

    public bool Fits(int kernel, int padding, string argument) =>
        (kernel <= Input.Height + 2L * padding && kernel <= Input.Width + 2L * padding)
        || Fail(Rule.KernelLargerThanInput,
            $"{Where()} has a {kernel}×{kernel} kernel but its input is {Input.Height}×{Input.Width}"
                + (padding > 0 ? $" ({Input.Height + 2L * padding}×{Input.Width + 2L * padding} padded)" : ""),
            argument);

    /// <summary>MaxPool2d and AvgPool2d: a positive kernel that fits, a stride of 0 (the kernel size) or more.</summary>
    public LayerStep? Pool(int kernel, int declaredStride, int stride)
    {
        if (!Positive(kernel, "KernelSize")) return null;
        if (declaredStride < 0)
        {
            Fail(Rule.NonPositiveSize, $"{Where()} has Stride = {declaredStride}; it must be positive (or 0 for the kernel size)", "Stride");
            return null;
        }
        if (!NeedsMap() || !Fits(kernel, 0, "KernelSize")) return null;
        var h = (Input.Height - kernel) / stride + 1;
        var w = (Input.Width - kernel) / stride + 1;
        return new LayerStep(Shape.Map(Input.Channels, h, w), 0, kernel, stride, 0);
    }

    public static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
}
