/// Every network the sample knows, by the names the command line takes: the ones declared in C# with the DSL
/// (src/Samples/Mnist.Models), from the registry the C# generator emits for that assembly, then the F# lists of
/// Networks.fs, then the attributed F# classes of this assembly (Attributed.fs), found at run time. No list of the C#
/// networks is kept here.
module Mnist.FSharp.Models

open Mnist.Dsl.Registry
open Mnist.Dsl.Training.Definitions
open Mnist.Models

/// The attributed F# classes of this assembly, registered as MnistTrainer.Run(argv) would find them.
let attributed: RegisteredNetwork list = List.ofSeq (AttributedNetworks.Of(typeof<AttributedNet>.Assembly))

/// The C# networks in their registry's order, then the F# ones: the list MnistTrainer.Run takes.
let all: RegisteredNetwork list =
    List.ofSeq (NetworkRegistry.Of(typeof<DefaultNet>.Assembly)) @ Networks.registered @ attributed
