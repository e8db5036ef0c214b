using System;

namespace Mnist.Dsl;

/// <summary>
/// Declares a network: the input (channels × height × width) and the number of classes. The layers follow as
/// attributes on the same partial class, in source order. The build then emits the module and its summary,
/// and fails when the network breaks its parameter budget, leaves out a required layer, or has shapes that do
/// not work.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class NetworkAttribute(int channels, int height, int width) : Attribute
{
    public int Channels { get; } = channels;
    public int Height { get; } = height;
    public int Width { get; } = width;

    /// <summary>The number of classes the last layer must produce.</summary>
    public int Classes { get; set; } = Analysis.NetworkDefinition.DefaultClasses;

    /// <summary>
    /// The network must have fewer parameters than this (an exclusive bound: the assignment's "&lt; 20k", so a
    /// budget of 20,000 allows at most 19,999). 0 (the default) takes the project's budget: the MSBuild
    /// property MnistDslParameterBudget, or mnist_dsl.parameter_budget in .editorconfig, else 20,000.
    /// </summary>
    public int ParameterBudget { get; set; }

    /// <summary>The layers the assignment requires of this network; switch a rule off by leaving its flag out.</summary>
    public RequiredLayers Requires { get; set; } = RequiredLayers.All;

    /// <summary>
    /// The network's name in its assembly's registry (what a trainer or classifier takes on its command line, e.g.
    /// "default"); null (the default) uses the class's name. Unique in the assembly, ignoring case (MNIST0018).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>One line that says what the network is, for listings (the registry's Description); null for none.</summary>
    public string? Description { get; set; }
}

/// <summary>The layer kinds the assignment requires (seed documents: BN, Dropout, GAP, a fully connected layer).</summary>
[Flags]
public enum RequiredLayers
{
    None = 0,
    BatchNorm = 1,
    Dropout = 2,
    GlobalAvgPool = 4,
    FullyConnected = 8,
    All = BatchNorm | Dropout | GlobalAvgPool | FullyConnected,
}
