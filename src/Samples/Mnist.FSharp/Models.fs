/// Every network the sample knows, by the names the command line takes: the ones declared in C# with the DSL
/// (src/Samples/Mnist.Models), from the registry the C# generator emits for that assembly, then the F# lists of
/// Networks.fs. No list of the C# networks is kept here.
module Mnist.FSharp.Models

open System
open Mnist.Dsl.Registry
open Mnist.Dsl.Training.Definitions
open Mnist.Models
open TorchSharp

/// A network module as the generated classes are: one tensor in, one tensor out.
type Network = torch.nn.Module<torch.Tensor, torch.Tensor>

/// The C# networks in their registry's order, then the F# ones. This is the list a trainer takes.
let all: RegisteredNetwork list =
    List.ofSeq (NetworkRegistry.Of(typeof<DefaultNet>.Assembly)) @ Networks.registered

let names = all |> List.map _.Name

let tryFind (name: string) =
    all |> List.tryFind (fun network -> String.Equals(network.Name, name, StringComparison.OrdinalIgnoreCase))

/// A new, untrained module of the network: the generated class for a C# network, a module built from the list for an F# one.
let create (network: RegisteredNetwork) () : Network = network.CreateModule<Network>()

/// Where the network's summary was computed: by the generator at build time, or from its F# list when the program started.
let origin (network: RegisteredNetwork) =
    if network.Type = typeof<DefinedModule> then "computed at run time from its F# list" else "computed at compile time by the C# generator"
