/// The whole trainer: `dotnet run -- list`, `dotnet run -- summary mynet`, `dotnet run -- train mynet --epochs 15`,
/// `dotnet run -- eval mynet --weights runs/<run>/best.safetensors`; `dotnet run -- --help` for the rest.
module MyNets.Program

[<EntryPoint>]
let main argv = Mnist.Dsl.Training.MnistTrainer.Run argv
