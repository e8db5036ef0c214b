/// Networks written as plain F# lists of Mnist.Dsl layers, checked by the same analysis that the C# source
/// generator and analyzer run on [Network] classes: shapes, parameters, receptive field and the rules.
module Mnist.FSharp.Networks

open System
open System.Globalization
open Mnist.Dsl.Analysis
open Mnist.Dsl.Layers

/// A network on 1×28×28 MNIST images with 10 classes, the 20,000-parameter budget and every layer rule on.
let mnist (name: string) (layers: Layer list) = NetworkDefinition(name, 1, 28, 28, layers)

/// Mnist.Models.DefaultNet as an F# list: the same layers its attributes declare, in the same order.
let defaultNet: Layer list =
    [ Conv2d(16, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 28 → 26, RF 3
      Conv2d(24, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 26 → 24, RF 5
      MaxPool2d(2); Conv2d(12, 1, Bias = false)                           // 24 → 12, RF 6
      Conv2d(16, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 12 → 10, RF 10
      Conv2d(24, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 10 → 8, RF 14
      Conv2d(32, 3, Bias = false); ReLU(); BatchNorm2d()                  // 8 → 6, RF 18
      GlobalAvgPool2d(); Linear(10); LogSoftmax() ]                       // RF 28

/// Wide early layers: 32 and 64 channels at full resolution put it almost 5,000 parameters over the budget.
let wideNet: Layer list =
    [ Conv2d(32, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 28 → 26, RF 3
      Conv2d(64, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 26 → 24, RF 5
      MaxPool2d(2); Conv2d(16, 1, Bias = false)                           // 24 → 12, RF 6
      Conv2d(32, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)   // 12 → 10, RF 10
      GlobalAvgPool2d(); Linear(10); LogSoftmax() ]                       // RF 28

/// The default network with its BatchNorm layers left out: under budget, but it breaks the BatchNorm rule.
let withoutBatchNorm: Layer list =
    defaultNet
    |> List.filter (function
        | :? BatchNorm2d -> false
        | _ -> true)

/// The rules a report breaks, as (id, message): errors, and warnings such as a receptive field smaller than the input.
let brokenRules (report: NetworkReport) =
    [ for violation in report.Violations -> violation.Id, violation.Message ]

/// What the analysis says about a network: its torchsummary table (and, when `details`, the per-layer view of
/// receptive field, jump and multiply-adds) and the rule results.
let describe details (report: NetworkReport) =
    let network = report.Network
    let budget = network.ParameterBudget.ToString("N0", CultureInfo.InvariantCulture)

    [ $"{network.Name}: {network.Layers.Count} layers, input {network.Input}, budget {budget} parameters"
      match report.Summary with
      | null -> "The shapes do not work, so there is no summary."
      | summary ->
          summary.ToTable()
          if details then summary.ToDetailTable()
      match report.Violations |> Seq.toList with
      | [] -> "Rules: all pass."
      | violations ->
          "Rules broken:"
          for violation in violations do
              let severity = if violation.IsWarning then "warning" else "error"
              $"  {violation.Id} ({severity}): {violation.Message}" ]
    |> String.concat Environment.NewLine
