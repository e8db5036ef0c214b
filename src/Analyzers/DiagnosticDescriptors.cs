using Microsoft.CodeAnalysis;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Analyzers;

/// <summary>
/// Every diagnostic Mnist.Dsl reports, in one place. IDs are stable; each says how to fix it in its description
/// (the README's diagnostics table, in the IDE). Rule diagnostics carry the layer algebra's message, which names the numbers.
/// </summary>
public static class DiagnosticDescriptors
{
    private const string Category = "Mnist.Dsl";

    // Literal IDs in every constructor call: release tracking (AnalyzerReleases.*.md) reads them from here.
    // No help link: the project has no public home a link could point at; the description says the fix instead,
    // and IDEs show it with the diagnostic. The package README's diagnostics table says the same.

    public static readonly DiagnosticDescriptor ParameterBudgetExceeded = new(
        "MNIST0001", "Parameter budget exceeded", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Shrink the network, or raise the budget: ParameterBudget = N on [Network], mnist_dsl.parameter_budget = N in .editorconfig, or <MnistDslParameterBudget>N</MnistDslParameterBudget> in the project. The budget is exclusive: by default a network needs fewer than 20,000 parameters.");

    public static readonly DiagnosticDescriptor MissingBatchNorm = new(
        "MNIST0002", "Network has no BatchNorm layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add BatchNorm2d after a convolution, or leave RequiredLayers.BatchNorm out of Requires.");

    public static readonly DiagnosticDescriptor MissingDropout = new(
        "MNIST0003", "Network has no Dropout layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add Dropout(p), or leave RequiredLayers.Dropout out of Requires.");

    public static readonly DiagnosticDescriptor MissingGlobalAvgPool = new(
        "MNIST0004", "Network has no global average pooling", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add GlobalAvgPool2d before the head, or leave RequiredLayers.GlobalAvgPool out of Requires.");

    public static readonly DiagnosticDescriptor MissingFullyConnected = new(
        "MNIST0005", "Network has no fully connected layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add Linear(classes), or leave RequiredLayers.FullyConnected out of Requires.");

    public static readonly DiagnosticDescriptor KernelLargerThanInput = new(
        "MNIST0006", "Kernel larger than its input", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Smaller kernel, more padding, or less pooling before it.");

    public static readonly DiagnosticDescriptor NonPositiveSize = new(
        "MNIST0007", "Size must be positive", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Use positive sizes.");

    public static readonly DiagnosticDescriptor InputSizeMismatch = new(
        "MNIST0008", "Declared input size disagrees with the previous layer", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Fix the number, or leave it out to have it inferred.");

    public static readonly DiagnosticDescriptor WrongInputRank = new(
        "MNIST0009", "Layer gets a map where it needs a vector, or the reverse", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Put Flatten or GlobalAvgPool2d before it; use BatchNorm1d for vectors, BatchNorm2d for maps.");

    public static readonly DiagnosticDescriptor OutputNotClasses = new(
        "MNIST0010", "Network output is not one value per class", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "End with Linear(Classes) (or a map of Classes × 1 × 1).");

    public static readonly DiagnosticDescriptor InvalidArgument = new(
        "MNIST0011", "Layer argument out of range", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Use a value in range.");

    public static readonly DiagnosticDescriptor ReceptiveFieldSmallerThanInput = new(
        "MNIST0014", "Receptive field smaller than the input", "{0}", Category, DiagnosticSeverity.Warning, isEnabledByDefault: true,
        description: "More layers, larger kernels or strides; or suppress it where it is intended.");

    public static readonly DiagnosticDescriptor GroupsDoNotDivideChannels = new(
        "MNIST0020", "Conv2d groups must divide both channel counts", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Use Groups = a common divisor of the input and output channels: 1 for an ordinary convolution, both counts (when equal) for a depthwise one; or change the channel counts.");

    public static readonly DiagnosticDescriptor NotPartial = new(
        "MNIST0012", "Network class must be partial", "{0} must be declared partial (and so must every type it is nested in) so that the generator can add its module code", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add partial.");

    public static readonly DiagnosticDescriptor Generic = new(
        "MNIST0013", "Network class cannot be generic", "{0} is generic or nested in a generic type; a network's shapes must be known at compile time, so declare it on a non-generic class", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Declare the network on a non-generic class.");

    public static readonly DiagnosticDescriptor NoLayers = new(
        "MNIST0015", "Network has no layers", "{0} has [Network] but no layer attributes; add them after it, for example [Conv2d(8, 3), ReLU, BatchNorm2d]", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Add layers.");

    public static readonly DiagnosticDescriptor NotAClass = new(
        "MNIST0016", "Network must be a non-static, non-abstract class", "{0} cannot hold a network: [Network] goes on a non-static, non-abstract partial class", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Use a non-static, non-abstract partial class.");

    public static readonly DiagnosticDescriptor PrimaryConstructor = new(
        "MNIST0017", "Network class cannot have a primary constructor", "{0} has a primary constructor, but the generated module needs a parameterless one to register its layers; remove the parameter list and use fields or properties instead", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Remove the parameter list; use fields or properties.");

    public static readonly DiagnosticDescriptor FileLocal = new(
        "MNIST0019", "Network class cannot be file-local", "{0} is declared file, so the generated code, which is in another file, cannot add the network's module to it; remove the file modifier (make it internal to keep it out of other assemblies)", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Remove file; use internal to keep the network inside its assembly.");

    // Reported when the whole compilation has been seen (the other networks' names are needed), hence CompilationEnd.
    public static readonly DiagnosticDescriptor DuplicateRegistryName = new(
        "MNIST0018", "Two networks have the same registry name", "{0}", Category, DiagnosticSeverity.Error, isEnabledByDefault: true,
        description: "Give each network of the assembly its own Name = \"...\" on [Network] (names are compared ignoring case), or remove Name to use the class's name: trainers and classifiers find a network by that name.",
        customTags: WellKnownDiagnosticTags.CompilationEnd);

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
        Analysis.Rule.GroupsDoNotDivideChannels => GroupsDoNotDivideChannels,
    };

    public static readonly System.Collections.Immutable.ImmutableArray<DiagnosticDescriptor> All = System.Collections.Immutable.ImmutableArray.Create(
        ParameterBudgetExceeded, MissingBatchNorm, MissingDropout, MissingGlobalAvgPool, MissingFullyConnected, KernelLargerThanInput,
        NonPositiveSize, InputSizeMismatch, WrongInputRank, OutputNotClasses, InvalidArgument, NotPartial, Generic,
        ReceptiveFieldSmallerThanInput, NoLayers, NotAClass, PrimaryConstructor, DuplicateRegistryName, FileLocal, GroupsDoNotDivideChannels);
}
