/// Entry point: `dotnet run --project src/Samples/Mnist.FSharp -c Release -- [model] [options]`.
module Mnist.FSharp.Program

[<EntryPoint>]
let main argv = Cli.run stdout (List.ofArray argv)
