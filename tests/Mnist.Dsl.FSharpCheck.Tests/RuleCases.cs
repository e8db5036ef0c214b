using System.Collections.Generic;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>
/// One F# network per file that breaks one rule: its attributes, the same network as the algebra's values, the rule,
/// and the text the diagnostic must point at (the argument at fault, as the C# analyzer points, or the attribute).
/// </summary>
public sealed record RuleCase(string Name, string Attributes, NetworkDefinition Definition, Rule Rule, string Marker)
{
    public string File => $"Rule{Name}.fs";

    public string Source => $"""
        module Checked.Rule{Name}

        open Mnist.Dsl

        {Attributes}
        type {Name}() = class end
        """;

    public static NetworkDefinition Define(string name, params Layer[] layers) =>
        new(name, 1, 28, 28, layers, parameterBudget: Sources.ProjectBudget, requires: RequiredLayers.None);

    public static readonly IReadOnlyList<RuleCase> All =
    [
        new("KernelTooLarge", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 30)>]",
            Define("KernelTooLarge", new Conv2d(10, 30)), Rule.KernelLargerThanInput, "30)"),
        new("ZeroChannels", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(0, 3)>]",
            Define("ZeroChannels", new Conv2d(0, 3)), Rule.NonPositiveSize, "0, 3"),
        new("NegativeStride", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3); MaxPool2d(2, Stride = -1)>]",
            Define("NegativeStride", new Conv2d(10, 3), new MaxPool2d(2, Stride: -1)), Rule.NonPositiveSize, "Stride = -1"),
        new("DropoutTooHigh", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3); Dropout(1.5)>]",
            Define("DropoutTooHigh", new Conv2d(10, 3), new Dropout(1.5)), Rule.InvalidArgument, "1.5"),
        new("LinearOnMap", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3)>]\n[<Linear(10)>]",
            Define("LinearOnMap", new Conv2d(10, 3), new Linear(10)), Rule.WrongInputRank, "Linear(10)"),
        new("SevenClasses", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3); GlobalAvgPool2d; Flatten; Linear(7)>]",
            Define("SevenClasses", new Conv2d(10, 3), new GlobalAvgPool2d(), new Flatten(), new Linear(7)), Rule.OutputNotClasses, "7)"),
        // Tanh as a module and as a call, read from the F# assembly like every attribute: the message names the Linear
        // as layer 4, which it is only if both Tanh layers were read.
        new("TanhThenLinearOnMap", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3); Tanh; Tanh(Functional = true); Linear(10)>]",
            Define("TanhThenLinearOnMap", new Conv2d(10, 3), new Tanh(), new Tanh(true), new Linear(10)), Rule.WrongInputRank, "Linear(10)"),
        // 3 groups do not split the 16 input channels evenly: MNIST0020 at Groups, as in C#.
        new("GroupsMismatch", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(16, 3); Conv2d(24, 3, Groups = 3); GlobalAvgPool2d; Linear(10)>]",
            Define("GroupsMismatch", new Conv2d(16, 3), new Conv2d(24, 3, Groups: 3), new GlobalAvgPool2d(), new Linear(10)), Rule.GroupsDoNotDivideChannels, "Groups = 3"),
        // A 3×3 kernel at stride 26 gives the 10 × 1 × 1 output the classes need, from a corner of the image: a warning.
        new("SmallField", "[<Network(1, 28, 28, Requires = RequiredLayers.None)>]\n[<Conv2d(10, 3, Stride = 26)>]",
            Define("SmallField", new Conv2d(10, 3, Stride: 26)), Rule.ReceptiveFieldSmallerThanInput, "Network("),
    ];
}
