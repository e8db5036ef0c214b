/// Entry point: `dotnet run --project src/Samples/Mnist.FSharp -c Release -- <command> [options]`.
module Mnist.FSharp.Program

open Mnist.Dsl.Training

// The trainer library's whole command line (list, summary, train, eval, --resume, run folders) over the C# networks
// and the F# lists alike. Both F# lists train and evaluate on the plain-C# engine by default (their trainers composed
// at run time from the lists), with no native library; --engine torch trains their TorchSharp modules.
[<EntryPoint>]
let main argv = MnistTrainer.Run(argv, Models.all)
