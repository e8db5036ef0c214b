using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Layers;

/// <summary>x where x &gt; 0, else NegativeSlope · x (PyTorch's LeakyReLU; its default slope, 0.01). Any finite slope.</summary>
public sealed record LeakyReLU(double NegativeSlope = LeakyReLU.DefaultNegativeSlope, bool Functional = LayerDefaults.Functional)
    : ElementwiseLayer(Functional)
{
    /// <summary>PyTorch's default negative slope, which the attribute and the record take when it is left out.</summary>
    public const double DefaultNegativeSlope = 0.01;

    public override LayerKind Kind => LayerKind.LeakyReLU;

    public override string MemberStem => "leaky_relu";

    internal override LayerStep? Step(LayerChecks check)
    {
        if (!double.IsNaN(NegativeSlope) && !double.IsInfinity(NegativeSlope)) return LayerStep.Keep(check.Input);
        check.Fail(Rule.InvalidArgument, $"{check.Where()} has NegativeSlope = {LayerChecks.Text(NegativeSlope)}; it must be a finite number",
            nameof(NegativeSlope));
        return null;
    }

    public override LayerCall TorchModule(Shape input) => new("nn.LeakyReLU", CallArgument.Of(NegativeSlope));

    public override LayerCall? TorchFunctional => new("nn.functional.leaky_relu", CallArgument.Input, CallArgument.Of(NegativeSlope));

    public override LayerCall EngineCall(LayerReport report, string? member) => new("LeakyReLU", CallArgument.Of(NegativeSlope));

    public override LayerCall InferenceKernel => new("InferenceKernels.LeakyRelu", CallArgument.Of(NegativeSlope));

    public override LayerCall OnnxNode => new("LeakyRelu", CallArgument.Of(NegativeSlope, "alpha"));

    public override string Describe(Shape input) => string.Format(CultureInfo.InvariantCulture, "LeakyReLU({0})", NegativeSlope);
}
