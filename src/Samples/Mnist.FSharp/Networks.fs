/// Networks written as plain F# lists of Mnist.Dsl layers, checked by the same analysis that the C# source
/// generator and analyzer run on [Network] classes (shapes, parameters, receptive field and the rules), and
/// trained on the plain-C# engine (the units the generator would write for the same layers, composed at run time:
/// F# has no source generators) or through TorchSharp modules built from the lists.
module Mnist.FSharp.Networks

open Mnist.Dsl.Analysis
open Mnist.Dsl.Layers
open Mnist.Dsl.Registry
open Mnist.Dsl.Training.Definitions

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

/// The block the sample networks repeat: a 3×3 convolution (no bias: BatchNorm after it would cancel one), ReLU,
/// BatchNorm and a little dropout.
let block channels : Layer list =
    [ Conv2d(channels, 3, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05) ]

/// A network composed of blocks, as F# composes lists: 7,426 parameters, 28 → 26 → 24, pooled to 12, → 10 → 8 → 6.
let blocksNet: Layer list =
    [ yield! block 8                        // 28 → 26, RF 3
      yield! block 16                       // 26 → 24, RF 5
      MaxPool2d(2); Conv2d(8, 1, Bias = false) // 24 → 12, RF 6
      yield! block 16                       // 12 → 10, RF 10
      yield! block 16                       // 10 → 8, RF 14
      yield! block 16                       // 8 → 6, RF 18
      GlobalAvgPool2d(); Linear(10); LogSoftmax() ] // RF 28

/// Two lists the rules refuse (not registered, so not on the command line; tests/Mnist.FSharp.Tests shows the
/// analyzer's messages). Wide early layers: 32 and 64 channels at full resolution put it almost 5,000 parameters over the budget.
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

/// The F# networks as the trainer takes networks (the C# ones come from their generated registry). Registering
/// checks the analyzer's rules at once: a list that breaks one throws NetworkRulesException with the analyzer's
/// messages. Their engine trainers and TorchSharp modules are built from the lists at run time, with the state-dict
/// keys the generator would give the same layers declared in C#.
let registered: RegisteredNetwork list =
    [ DefinedNetwork.Register(mnist "FSharpDefaultNet" defaultNet, "fsharp-default", "DefaultNet's layers as an F# list (built at run time)")
      DefinedNetwork.Register(mnist "FSharpBlocksNet" blocksNet, "fsharp-blocks", "blocks of conv, ReLU, BN, dropout composed as F# lists (built at run time)") ]
