/// Networks written as F# lists, trained: the TorchSharp module built from a list at run time is the module the C#
/// generator emits for the same layers (names, state-dict keys, shapes, forward), a list that breaks a rule is
/// refused with the analyzer's messages. Training one through the trainer library is in TrainerTests.fs.
module Mnist.FSharp.Tests.DefinedModuleTests

open System
open Mnist.Dsl
open Mnist.Dsl.Analysis
open Mnist.Dsl.Layers
open Mnist.Dsl.Registry
open Mnist.Dsl.Training.Definitions
open Mnist.Dsl.Torch
open Mnist.FSharp
open Mnist.Models
open TorchSharp
open Xunit

/// A network module as the generated classes are: one tensor in, one tensor out.
type private Network = torch.nn.Module<torch.Tensor, torch.Tensor>

/// Seed001Model1 (src/Samples/Mnist.Models/Seed001Model1.cs) as an F# list: functional ReLUs, Flatten and LogSoftmax
/// (no members, so the numbering of the others skips them), a BatchNorm1d sharing the "bn" stem, biases on.
let seed001Model1: Layer list =
    [ Conv2d(32, 3); BatchNorm2d(); ReLU(Functional = true); MaxPool2d(2)
      Conv2d(32, 3); BatchNorm2d(); ReLU(Functional = true); MaxPool2d(2)
      Conv2d(16, 3); BatchNorm2d(); ReLU(Functional = true); Dropout(0.1)
      Flatten(Functional = true); Linear(20); BatchNorm1d(); ReLU(Functional = true); Dropout(0.1)
      Linear(10); LogSoftmax(Functional = true) ]

let private seed001Definition =
    NetworkDefinition("FSharpSeed001Model1", 1, 28, 28, seed001Model1,
                      requires = (RequiredLayers.BatchNorm ||| RequiredLayers.Dropout ||| RequiredLayers.FullyConnected))

/// Every state-dict entry as (key, shape, dtype), in the module's order.
let private stateOf (m: torch.nn.Module) =
    [ for KeyValue(key, tensor) in m.state_dict() -> key, List.ofArray tensor.shape, tensor.dtype ]

/// Every parameter as (name, shape), in the module's order.
let private parametersOf (m: torch.nn.Module) =
    [ for struct (name, parameter) in m.named_parameters() -> name, List.ofArray parameter.shape ]

let private assertSameModule (generated: torch.nn.Module) (defined: torch.nn.Module) =
    Assert.Equal<(string * int64 list) list>(parametersOf generated, parametersOf defined)
    Assert.Equal<(string * int64 list * torch.ScalarType) list>(stateOf generated, stateOf defined)

[<Fact>]
let ``The F# list of DefaultNet builds a module with DefaultNet's parameter shapes and state-dict keys`` () =
    use _ = torch.NewDisposeScope()
    use generated = new DefaultNet()
    use defined = new DefinedModule(Networks.mnist "FSharpDefaultNet" Networks.defaultNet)

    assertSameModule generated defined
    // Written out once, so that a change to both naming schemes at once does not pass unnoticed. TorchSharp's
    // state_dict lists every parameter before the buffers; ModuleLayout lists them per member, in PyTorch's order.
    let keys = ModuleLayout.Of(defined.Summary).State |> Seq.map _.Key |> List.ofSeq
    Assert.Equal<string list>([ "conv1.weight"; "bn1.weight"; "bn1.bias"; "bn1.running_mean"; "bn1.running_var"; "bn1.num_batches_tracked"; "conv2.weight" ], List.take 7 keys)
    Assert.Equal<string list>([ "fc1.weight"; "fc1.bias" ], List.skip (keys.Length - 2) keys)
    Assert.Equal<string Set>(set keys, stateOf defined |> List.map (fun (k, _, _) -> k) |> set)
    Assert.Equal(DefaultNet.ParameterCount, defined.parameters() |> Seq.sumBy _.numel())

[<Fact>]
let ``The F# list of Seed001Model1, with functional layers and BatchNorm1d, builds Seed001Model1's module`` () =
    use _ = torch.NewDisposeScope()
    use generated = new Seed001Model1()
    use defined = new DefinedModule(seed001Definition)

    Assert.Equal<Layer>(Seed001Model1.Definition.Layers, seed001Model1)
    assertSameModule generated defined
    Assert.Contains("bn4.num_batches_tracked", stateOf defined |> List.map (fun (k, _, _) -> k))

/// For every C# network of the registry: the module built at run time from its Definition against its generated class,
/// and the state-dict layout Mnist.Dsl computes without a runtime (ModuleLayout, what weights files are matched with).
[<Fact>]
let ``Every registered C# network's Definition builds its generated module, and ModuleLayout lists that module's state`` () =
    let networks = NetworkRegistry.Of(typeof<DefaultNet>.Assembly) |> List.ofSeq
    // Every [Network] file of src/Samples/Mnist.Models is registered (the count comes from the sources, not from here).
    let modelsFolder = IO.Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "src", "Samples", "Mnist.Models")
    let declared = IO.Directory.GetFiles(modelsFolder, "*.cs") |> Array.filter (fun f -> IO.File.ReadAllText(f).Contains("[Network(")) |> Array.length
    Assert.True(declared > 0, modelsFolder)
    Assert.Equal(declared, networks.Length)

    for network in networks do
        use _ = torch.NewDisposeScope()
        use generated = network.CreateModule<Network>()
        use defined = new DefinedModule(network.Definition)
        assertSameModule generated defined

        // The same keys and shapes (TorchSharp orders parameters before buffers, the layout per member as PyTorch does),
        // and the one integer tensor is BatchNorm's batch count.
        let layout = ModuleLayout.Of(network.Summary)
        let expected = stateOf generated |> List.map (fun (key, shape, dtype) -> key, (shape, dtype = torch.ScalarType.Int64)) |> Map.ofList
        Assert.Equal<Map<string, int64 list * bool>>(expected, Map.ofList [ for t in layout.State -> t.Key, (List.ofSeq t.Shape, t.IsCount) ])

/// Same weights, same input: the same output in eval mode, and in training mode from the same random generator
/// state (dropout masks drawn in the same order, BatchNorm on batch statistics).
[<Fact>]
let ``The module built from a Definition computes what the generated forward computes`` () =
    let networks = NetworkRegistry.Of(typeof<DefaultNet>.Assembly) |> List.ofSeq

    for network in networks do
        use _ = torch.NewDisposeScope()
        torch.manual_seed 5 |> ignore
        use generated = network.CreateModule<Network>()
        use defined = new DefinedModule(network.Definition)
        defined.load_state_dict(generated.state_dict()) |> ignore
        let input = torch.randn (4L, 1L, 28L, 28L)

        generated.eval()
        defined.eval()
        let expected = generated.forward input
        let actual = defined.forward input
        Assert.Equal<int64>(expected.shape, actual.shape)
        Assert.True(expected.allclose(actual, 0.0, 0.0), $"{network.Name}: eval-mode outputs differ")

        generated.train()
        defined.train()
        torch.manual_seed 9 |> ignore
        let expected = generated.forward input
        torch.manual_seed 9 |> ignore
        let actual = defined.forward input
        Assert.True(expected.allclose(actual, 0.0, 0.0), $"{network.Name}: training-mode outputs differ")

[<Fact>]
let ``An F# network registered for training has the registry's names, summary and a module; no inference class`` () =
    let network = Networks.registered |> List.find (fun n -> n.Name = "fsharp-default")

    Assert.Equal("FSharpDefaultNet", network.FullName)
    Assert.Equal(DefaultNet.Summary.ToTable(), network.Summary.ToTable())
    Assert.True network.HasModule
    Assert.False network.HasInference
    Assert.Contains(network, Models.all)
    use _ = torch.NewDisposeScope()
    use m = network.CreateModule<Network>()
    Assert.IsType<DefinedModule>(m) |> ignore

[<Fact>]
let ``An F# list over the budget is refused with the analyzer's MNIST0001 message`` () =
    let refused = Assert.Throws<NetworkRulesException>(fun () -> DefinedNetwork.Register(Networks.mnist "WideNet" Networks.wideNet) |> ignore)

    Assert.Equal(
        "WideNet breaks a rule of the Mnist.Dsl analyzer, so no module is built for it (fix the layers; each rule's fix is in the README's Diagnostics table):"
        + "\n  MNIST0001: WideNet has 24,938 parameters, 4,939 too many for its budget of fewer than 20,000",
        refused.Message
    )
    Assert.Equal(Rule.ParameterBudgetExceeded, (Seq.exactlyOne refused.Errors).Rule)

/// The analyzer's own case (tests/Mnist.Dsl.Analyzers.Tests/AnalyzerTests.cs, "MNIST0001 over the default budget"):
/// the C# class [Network(1, 28, 28, Requires = RequiredLayers.None)] [Flatten, Linear(27), Linear(10)] Wide fails the
/// build with this message; the same layers as an F# list are refused with the same text.
[<Fact>]
let ``The F# twin of the analyzer's over-budget case is refused with the message the analyzer reports for the C# class`` () =
    let wide = NetworkDefinition("Wide", 1, 28, 28, [ Flatten(); Linear(27); Linear(10) ], requires = RequiredLayers.None)

    let refused = Assert.Throws<NetworkRulesException>(fun () -> DefinedNetwork.Register(wide, "wide") |> ignore)

    Assert.EndsWith("\n  MNIST0001: Wide has 21,475 parameters, 1,476 too many for its budget of fewer than 20,000", refused.Message)

[<Fact>]
let ``An F# list that breaks several rules is refused with each of the analyzer's messages; a module is never built`` () =
    let broken = Networks.mnist "TooDeep" [ Conv2d(8, 5); MaxPool2d(2); Conv2d(8, 5); MaxPool2d(2); Conv2d(8, 5) ]
    let expected = NetworkAnalysis.Analyze(broken).Violations |> Seq.filter (fun v -> not v.IsWarning) |> List.ofSeq

    let refused = Assert.Throws<NetworkRulesException>(fun () -> new DefinedModule(broken) |> ignore)

    Assert.Equal(5, expected.Length)
    Assert.StartsWith("TooDeep breaks 5 rules of the Mnist.Dsl analyzer", refused.Message)
    for violation in expected do
        Assert.Contains($"\n  {violation.Id}: {violation.Message}", refused.Message)
    Assert.Contains("\n  MNIST0006: Conv2d (layer 5 of TooDeep) has a 5×5 kernel but its input is 4×4", refused.Message)
    Assert.Contains("\n  MNIST0002: TooDeep has no BatchNorm layer", refused.Message)

[<Fact>]
let ``A receptive-field warning does not refuse an F# list, as it does not fail a build`` () =
    let strided = NetworkDefinition("Strided", 1, 28, 28, [ Conv2d(8, 2, Stride = 4); ReLU(); Conv2d(10, 7) ], requires = RequiredLayers.None)

    let network = DefinedNetwork.Register strided
    use _ = torch.NewDisposeScope()
    use m = network.CreateModule<Network>()
    Assert.Equal<int64>([| 3L; 10L |], m.forward(torch.zeros (3L, 1L, 28L, 28L)).shape)

/// A depthwise-separable block as an F# list (Groups, the last optional argument, by name): the module built at run time
/// has torch.nn's grouped weights [out, in / groups, k, k] where ModuleLayout puts them, the analysis's parameter count,
/// and an F# list whose Groups does not divide the channels is refused with the analyzer's MNIST0020 message.
[<Fact>]
let ``An F# list with depthwise and grouped convolutions builds torch's grouped Conv2d; bad groups get MNIST0020`` () =
    let separable =
        Networks.mnist "FSharpSeparable"
            [ Conv2d(8, 3, Bias = false); ReLU(); BatchNorm2d()
              Conv2d(8, 3, Padding = 1, Groups = 8); Conv2d(16, 1, Bias = false); ReLU(); BatchNorm2d(); Dropout(0.05)
              Conv2d(16, 3, Stride = 2, Groups = 4, Bias = false); ReLU(); BatchNorm2d()
              GlobalAvgPool2d(); Linear(10) ]
    use _ = torch.NewDisposeScope()
    use defined = new DefinedModule(separable)

    let layout = ModuleLayout.Of(defined.Summary)
    let expected = [ for t in layout.State -> t.Key, List.ofSeq t.Shape ] |> Map.ofList
    Assert.Equal<Map<string, int64 list>>(expected, stateOf defined |> List.map (fun (k, shape, _) -> k, shape) |> Map.ofList)
    Assert.Equal<int64 list>([ 8L; 1L; 3L; 3L ], expected["conv2.weight"])
    Assert.Equal<int64 list>([ 16L; 4L; 3L; 3L ], expected["conv4.weight"])
    Assert.Equal(defined.Summary.TotalParameters, defined.parameters() |> Seq.sumBy _.numel())
    Assert.Equal<int64>([| 2L; 10L |], defined.forward(torch.zeros (2L, 1L, 28L, 28L)).shape)

    let bad = Networks.mnist "BadGroups" [ Conv2d(16, 3); Conv2d(24, 3, Groups = 3); GlobalAvgPool2d(); Linear(10) ]
    let refused = Assert.Throws<NetworkRulesException>(fun () -> new DefinedModule(bad) |> ignore)
    Assert.Contains("\n  MNIST0020: Conv2d (layer 2 of BadGroups) has Groups = 3, which must divide both its input channels (16) and its output channels (24): use 8, 4, 2 or 1", refused.Message)
