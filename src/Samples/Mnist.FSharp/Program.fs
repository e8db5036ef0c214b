/// Entry point: `dotnet run --project src/Samples/Mnist.FSharp -c Release -- [model] [options]`.
module Mnist.FSharp.Program

// The one place the sample hands its networks (Models.all: the C# registry's, then the F# lists) to a trainer. When
// the trainer library's command line lands (MnistTrainer.Run(args, networks) in Mnist.Dsl.Training), this line
// becomes `MnistTrainer.Run(argv, Models.all)`, and list, summary, train and eval work on the F# networks as on C# ones.
[<EntryPoint>]
let main argv = Cli.run stdout (List.ofArray argv)
