/// The networks declared in C# with the DSL (src/Samples/Mnist.Models), by the names the command line takes.
module Mnist.FSharp.Models

open System
open Mnist.Dsl.Analysis
open Mnist.Dsl.Registry
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

/// The networks of Mnist.Models, from the registry the C# generator emits for that assembly: no list kept here.
let all =
    NetworkRegistry.Of(typeof<DefaultNet>.Assembly)
    |> Seq.map (fun network ->
        { Name = network.Name
          Create = network.CreateModule<Network>
          Definition = network.Definition
          Summary = network.Summary })
    |> List.ofSeq

let names = all |> List.map _.Name

let tryFind (name: string) =
    all |> List.tryFind (fun model -> String.Equals(model.Name, name, StringComparison.OrdinalIgnoreCase))
