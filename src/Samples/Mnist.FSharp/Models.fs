/// The networks declared in C# with the DSL (src/Samples/Mnist.Models), by the names the command line takes.
module Mnist.FSharp.Models

open System
open Mnist.Dsl.Analysis
open Mnist.Models
open TorchSharp

/// A network module as the generated classes are: one tensor in, one tensor out.
type Network = torch.nn.Module<torch.Tensor, torch.Tensor>

/// A generated network: how to build it, its declaration as data and its compile-time summary.
type Model =
    { Name: string
      Create: unit -> Network
      Definition: NetworkDefinition
      Summary: NetworkSummary }

let all =
    [ { Name = "default"; Create = (fun () -> new DefaultNet()); Definition = DefaultNet.Definition; Summary = DefaultNet.Summary }
      { Name = "small"; Create = (fun () -> new SmallNet()); Definition = SmallNet.Definition; Summary = SmallNet.Summary }
      { Name = "seed004"; Create = (fun () -> new Seed004Net()); Definition = Seed004Net.Definition; Summary = Seed004Net.Summary }
      { Name = "seed002"; Create = (fun () -> new Seed002Net()); Definition = Seed002Net.Definition; Summary = Seed002Net.Summary }
      { Name = "seed001-1"; Create = (fun () -> new Seed001Model1()); Definition = Seed001Model1.Definition; Summary = Seed001Model1.Summary }
      { Name = "seed001-2"; Create = (fun () -> new Seed001Model2()); Definition = Seed001Model2.Definition; Summary = Seed001Model2.Summary } ]

let names = all |> List.map _.Name

let tryFind (name: string) =
    all |> List.tryFind (fun model -> String.Equals(model.Name, name, StringComparison.OrdinalIgnoreCase))
