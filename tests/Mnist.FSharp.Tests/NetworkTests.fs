/// Networks written as F# lists: the same numbers as the generated C# classes, and the rules they break.
module Mnist.FSharp.Tests.NetworkTests

open System
open Mnist.Dsl.Analysis
open Mnist.Dsl.Layers
open Mnist.FSharp
open Mnist.Models
open TorchSharp
open Xunit

let private analyze name layers = Networks.mnist name layers |> NetworkAnalysis.Analyze

/// The rules a report breaks, as (id, message): errors, and warnings such as a receptive field smaller than the input.
let private brokenRules (report: NetworkReport) =
    [ for violation in report.Violations -> violation.Id, violation.Message ]

let private summaryOf (report: NetworkReport) =
    match report.Summary with
    | null -> failwith $"{report.Network.Name} has no summary: {brokenRules report}"
    | summary -> summary

/// Every number the analysis gives a layer, without the name of the network it belongs to.
let private rows (summary: NetworkSummary) =
    [ for l in summary.Layers -> l.Index, l.RowName, l.Input, l.Output, l.Parameters, l.ReceptiveField, l.Jump, l.MultiplyAdds ]

[<Fact>]
let ``The F# list of DefaultNet holds the layers its C# attributes declare`` () =
    Assert.Equal<Layer>(DefaultNet.Definition.Layers, Networks.defaultNet)

[<Fact>]
let ``The F# list of DefaultNet gives the generated class's summary table, detail table and numbers`` () =
    let report = analyze "FSharpDefaultNet" Networks.defaultNet
    let summary = summaryOf report

    Assert.Empty report.Violations
    Assert.True report.IsValid
    Assert.Equal(DefaultNet.Summary.ToTable(), summary.ToTable())
    Assert.Equal(DefaultNet.Summary.ToDetailTable(), summary.ToDetailTable())
    Assert.Equal<_ list>(rows DefaultNet.Summary, rows summary)
    // The generated constants, and the values the seed assignment cares about, written out.
    Assert.Equal(DefaultNet.ParameterCount, summary.TotalParameters)
    Assert.Equal(16_538L, summary.TotalParameters)
    Assert.Equal(DefaultNet.ReceptiveField, summary.ReceptiveField)
    Assert.Equal(28, summary.ReceptiveField)
    Assert.Equal(2_772_608L, summary.MultiplyAdds)
    Assert.Equal("[-1, 10]", string summary.Output)
    Assert.Contains("           Conv2d-19             [-1, 32, 6, 6]           6,912", summary.ToTable())
    Assert.Contains("Forward/backward pass size (MB): 0.91", summary.ToTable())

[<Fact>]
let ``The generated module built from the declaration the F# list equals has the parameters and output the list's summary says`` () =
    let summary = analyze "FSharpDefaultNet" Networks.defaultNet |> summaryOf
    use _ = torch.NewDisposeScope()
    use model = new DefaultNet()
    let parameters = model.parameters() |> Seq.sumBy _.numel()
    model.eval()
    let output = model.forward (torch.zeros (2, 1, 28, 28))

    Assert.Equal(summary.TotalParameters, parameters)
    Assert.Equal<int64>([| 2L; int64 summary.Output.Channels |], output.shape)

[<Fact>]
let ``WideNet breaks only the parameter budget, by the numbers it has`` () =
    let report = analyze "WideNet" Networks.wideNet

    Assert.Equal<(string * string) list>(
        [ "MNIST0001", "WideNet has 24,938 parameters, 4,939 too many for its budget of fewer than 20,000" ],
        brokenRules report
    )

    Assert.False report.IsValid
    let violation = Seq.exactlyOne report.Violations
    Assert.Equal(Rule.ParameterBudgetExceeded, violation.Rule)
    Assert.Equal(-1, violation.LayerIndex)
    let summary = summaryOf report
    // 1·32·9 + 2·32 + 32·64·9 + 2·64 + 64·16 + 16·32·9 + 2·32 + (32·10 + 10)
    Assert.Equal(24_938L, summary.TotalParameters)
    Assert.Equal(28, summary.ReceptiveField)

[<Fact>]
let ``The default network without BatchNorm breaks only the BatchNorm rule`` () =
    let report = analyze "NoBatchNorm" Networks.withoutBatchNorm

    Assert.Equal<(string * string) list>(
        [ "MNIST0002",
          "NoBatchNorm has no BatchNorm layer; the assignment requires one (or leave RequiredLayers.BatchNorm out of Requires to switch this rule off for this network)" ],
        brokenRules report
    )

    Assert.Equal(Networks.defaultNet.Length - 5, Networks.withoutBatchNorm.Length)
    Assert.Equal(16_538L - 2L * (16L + 24L + 16L + 24L + 32L), (summaryOf report).TotalParameters)

[<Fact>]
let ``A list whose shapes do not work has no summary, and its rule says which layer and why`` () =
    let report = analyze "TooDeep" [ Conv2d(8, 5); MaxPool2d(2); Conv2d(8, 5); MaxPool2d(2); Conv2d(8, 5) ]

    Assert.Null report.Summary
    let broken = brokenRules report
    // The shape error, then every required layer the list lacks: BatchNorm, Dropout, global average pooling, Linear.
    Assert.Equal<string list>([ "MNIST0006"; "MNIST0002"; "MNIST0003"; "MNIST0004"; "MNIST0005" ], List.map fst broken)
    Assert.Equal("Conv2d (layer 5 of TooDeep) has a 5×5 kernel but its input is 4×4", snd broken.Head)

[<Fact>]
let ``A receptive field smaller than the input is a warning: the network stays valid`` () =
    // A 2×2 kernel with stride 4 skips pixels: 28 → 7 (RF 2, jump 4), then a 7×7 kernel: 7 → 1 (RF 2 + 6·4 = 26).
    let report =
        NetworkDefinition("Strided", 1, 28, 28, [ Conv2d(8, 2, Stride = 4); ReLU(); Conv2d(10, 7) ], requires = Mnist.Dsl.RequiredLayers.None)
        |> NetworkAnalysis.Analyze

    Assert.True report.IsValid
    Assert.Equal(26, (summaryOf report).ReceptiveField)
    Assert.Equal<(string * string) list>(
        [ "MNIST0014", "Strided's receptive field at the output is 26×26 pixels, smaller than its 28×28 input: no output sees the whole image" ],
        brokenRules report
    )
