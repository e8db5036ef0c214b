using Microsoft.CodeAnalysis;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Analyzers;

/// <summary>
/// Every diagnostic Mnist.Dsl reports, in one place. IDs are stable; each links to its row in the README's
/// diagnostics table. Rule diagnostics carry the layer algebra's message, which names the numbers.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "Mnist.Dsl";

    // Literal IDs in every constructor call: release tracking (AnalyzerReleases.*.md) reads them from here.
    public const string HelpLinkBase = "https://github.com/mnist-dsl/Mnist.Dsl/blob/main/README.md#";

    public static readonly DiagnosticDescriptor ParameterBudgetExceeded = new(
        "MNIST0001", "Parameter budget exceeded", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0001");

    public static readonly DiagnosticDescriptor MissingBatchNorm = new(
        "MNIST0002", "Network has no BatchNorm layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0002");

    public static readonly DiagnosticDescriptor MissingDropout = new(
        "MNIST0003", "Network has no Dropout layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0003");

    public static readonly DiagnosticDescriptor MissingGlobalAvgPool = new(
        "MNIST0004", "Network has no global average pooling", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0004");

    public static readonly DiagnosticDescriptor MissingFullyConnected = new(
        "MNIST0005", "Network has no fully connected layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0005");

    public static readonly DiagnosticDescriptor KernelLargerThanInput = new(
        "MNIST0006", "Kernel larger than its input", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0006");

    public static readonly DiagnosticDescriptor NonPositiveSize = new(
        "MNIST0007", "Size must be positive", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0007");

    public static readonly DiagnosticDescriptor InputSizeMismatch = new(
        "MNIST0008", "Declared input size disagrees with the previous layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0008");

    public static readonly DiagnosticDescriptor WrongInputRank = new(
        "MNIST0009", "Layer gets a map where it needs a vector, or the reverse", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0009");

    public static readonly DiagnosticDescriptor OutputNotClasses = new(
        "MNIST0010", "Network output is not one value per class", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0010");

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        "MNIST0011", "Layer argument out of range", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0011");

    public static readonly DiagnosticDescriptor ReceptiveFieldSmallerThanInput = new(
        "MNIST0014", "Receptive field smaller than the input", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0014");

    public static readonly DiagnosticDescriptor NotPartial = new(
        "MNIST0012", "Network class must be partial", "{0} must be declared partial (and so must every type it is nested in) so that the generator can add its module code", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0012");

    public static readonly DiagnosticDescriptor Generic = new(
        "MNIST0013", "Network class cannot be generic", "{0} is generic or nested in a generic type; a network's shapes must be known at compile time, so declare it on a non-generic class", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0013");

    public static readonly DiagnosticDescriptor NoLayers = new(
        "MNIST0015", "Network has no layers", "{0} has [Network] but no layer attributes; add them after it, for example [Conv2d(8, 3), ReLU, BatchNorm2d]", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0015");

    public static readonly DiagnosticDescriptor NotAClass = new(
        "MNIST0016", "Network must be a non-static, non-abstract class", "{0} cannot hold a network: [Network] goes on a non-static, non-abstract partial class", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0016");

    public static readonly DiagnosticDescriptor PrimaryConstructor = new(
        "MNIST0017", "Network class cannot have a primary constructor", "{0} has a primary constructor, but the generated module needs a parameterless one to register its layers; remove the parameter list and use fields or properties instead", Category, DiagnosticSeverity.Error, isEnabledByDefault: true, helpLinkUri: HelpLinkBase + "mnist0017");

    /// <summary>
    /// The descriptor of a layer-algebra rule. No discard arm: a Rule added without its descriptor is a compile
    /// error (CS8509), not a diagnostic reported under another rule's ID. (CS8524, for values outside the enum's
    /// names, is off in this project: a cast like (Rule)99 is a bug that throws here.)
    /// </summary>
    public static DiagnosticDescriptor For(Analysis.Rule rule) => rule switch
    {
        Analysis.Rule.ParameterBudgetExceeded => ParameterBudgetExceeded,
        Analysis.Rule.MissingBatchNorm => MissingBatchNorm,
        Analysis.Rule.MissingDropout => MissingDropout,
        Analysis.Rule.MissingGlobalAvgPool => MissingGlobalAvgPool,
        Analysis.Rule.MissingFullyConnected => MissingFullyConnected,
        Analysis.Rule.KernelLargerThanInput => KernelLargerThanInput,
        Analysis.Rule.NonPositiveSize => NonPositiveSize,
        Analysis.Rule.InputSizeMismatch => InputSizeMismatch,
        Analysis.Rule.WrongInputRank => WrongInputRank,
        Analysis.Rule.OutputNotClasses => OutputNotClasses,
        Analysis.Rule.InvalidArgument => InvalidArgument,
        Analysis.Rule.ReceptiveFieldSmallerThanInput => ReceptiveFieldSmallerThanInput,
    };

    public static readonly System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> All = System.Collections.Immutable.ImmutableArray.Create(
        ParameterBudgetExceeded, MissingBatchNorm, MissingDropout, MissingGlobalAvgPool, MissingFullyConnected, KernelLargerThanInput,
        NonPositiveSize, InputSizeMismatch, WrongInputRank, OutputNotClasses, InvalidArgument, NotPartial, Generic,
        ReceptiveFieldSmallerThanInput, NoLayers, NotAClass, PrimaryConstructor);
}
