/// Entry point: `dotnet run --project src/Samples/Mnist.FSharp -c Release -- <command> [options]`.
module Mnist.FSharp.Program

open Mnist.Dsl.Training

// The trainer library's whole command line (list, summary, train, eval, --resume, run folders) over the C# networks
// and the F# lists alike. The plain-C# engine has a trainer for DefaultNet's layers only, so fsharp-blocks trains on
// TorchSharp (train says so), and fsharp-default, DefaultNet's layers, on the engine unless given --engine torch.
[<EntryPoint>]
let main argv = MnistTrainer.Run(argv, Models.all)
