/// The sample's command line: what it accepts, what it refuses, and what it prints without training.
module Mnist.FSharp.Tests.CliTests

open System.IO
open Mnist.FSharp
open Xunit

let private options args =
    match Cli.parse args with
    | Ok options -> options
    | Error message -> failwith message

let private error args =
    match Cli.parse args with
    | Ok options -> failwith $"{args} was accepted as {options}"
    | Error message -> message

[<Fact>]
let ``No arguments: the default network with the trainer's settings`` () =
    let parsed = options []

    Assert.Equal("default", parsed.Model)
    Assert.True parsed.Train
    Assert.Equal(Training.defaults, parsed.Training)
    Assert.Equal(128, parsed.Training.BatchSize)
    Assert.Equal(0, parsed.Training.TrainLimit)

[<Fact>]
let ``A model name and the options of a quick run`` () =
    let parsed = options [ "seed004"; "--train-limit"; "2000"; "--test-limit"; "500"; "--batch-size"; "32"; "--lr"; "0.05"; "--constant-lr"; "--seed"; "7" ]

    Assert.Equal("seed004", parsed.Model)
    Assert.Equal({ Training.defaults with TrainLimit = 2000; TestLimit = 500; BatchSize = 32; LearningRate = 0.05; OneCycle = false; Seed = 7 }, parsed.Training)

[<Theory>]
[<InlineData("--train-limit", "many", "--train-limit takes a whole number >= 0, not 'many'")>]
[<InlineData("--train-limit", "-5", "--train-limit takes a whole number >= 0, not '-5'")>]
[<InlineData("--batch-size", "0", "--batch-size takes a whole number >= 1, not '0'")>]
[<InlineData("--lr", "0", "--lr takes a number in (0, 10], not '0'")>]
[<InlineData("--epochs", "3", "unknown option --epochs")>]
[<InlineData("bignet", "--no-train", "unknown model 'bignet'; the models are default, seed001-1, seed001-2, seed002, seed004, small, fsharp-default, fsharp-blocks")>]
let ``Bad arguments are refused with a message that says what is wrong`` (first: string) (second: string) (expected: string) =
    Assert.Equal(expected, error [ first; second ])

[<Fact>]
let ``An option without its value is refused`` () =
    Assert.Equal("--test-limit needs a value", error [ "small"; "--test-limit" ])

[<Fact>]
let ``Bad arguments exit with 2 and print the usage`` () =
    use out = new StringWriter()

    Assert.Equal(2, Cli.run out [ "--batch-size"; "none" ])
    Assert.StartsWith("--batch-size takes a whole number >= 1, not 'none'", out.ToString())
    Assert.Contains("usage: Mnist.FSharp [model] [options]", out.ToString())

[<Fact>]
let ``--no-train prints the chosen network's generated summary and the F# lists' rule results`` () =
    use out = new StringWriter()

    Assert.Equal(0, Cli.run out [ "small"; "--no-train" ])
    let text = out.ToString()
    Assert.StartsWith("SmallNet (small), summary computed at compile time by the C# generator:", text)
    Assert.Contains(Mnist.Models.SmallNet.Summary.ToTable(), text)
    Assert.DoesNotContain("Test set:", text)
    Assert.Contains("FSharpDefaultNet: 24 layers", text)
    Assert.Contains(Mnist.Models.DefaultNet.Summary.ToTable(), text)
    Assert.Contains("Rules: all pass.", text)
    Assert.Contains("  MNIST0001 (error): WideNet has 24,938 parameters, 4,939 too many for its budget of fewer than 20,000", text)
    Assert.Contains("  MNIST0002 (error): NoBatchNorm has no BatchNorm layer", text)
    Assert.Contains("FSharpDefaultNet can be registered for training.", text)
    Assert.Contains("Registering WideNet for training is refused: 1 rule(s) broken.", text)
    Assert.Contains("Registering NoBatchNorm for training is refused: 1 rule(s) broken.", text)
