/// One epoch of training from F# on a subset of real MNIST. No test runs in parallel with these (AssemblyInfo.fs):
/// libtorch's thread count and random generator are process-wide.
module Mnist.FSharp.Tests.TrainingTests

open System
open System.IO
open System.Text.RegularExpressions
open Mnist.FSharp
open TorchSharp
open Xunit

/// MNIST where the sample looks by default (MNIST_DIR, else ~/.cache/mnist-dsl/mnist); batches of 32, so that
/// 2,000 images make 63 optimizer steps. One libtorch thread: on shared cores two spinning OpenMP threads per
/// operation make an epoch several times slower.
let private settings = { Training.defaults with BatchSize = 32; Threads = 1 }

let private defaultNet () : Models.Network = new Mnist.Models.DefaultNet()

type Training() =
    [<Fact>]
    member _.``One epoch on the first 2,000 training images takes DefaultNet well above chance on the whole test set``() =
        let mutable steps = 0
        let result = Training.run { settings with TrainLimit = 2000 } defaultNet (fun p -> steps <- p.Step)

        Assert.Equal(63, steps) // ceil(2000 / 32): every batch went through the optimizer
        Assert.Equal(2000L, result.TrainImages)
        Assert.Equal(10_000L, result.Test.Total)
        Assert.True(result.Test.Accuracy > 60.0, $"test accuracy after one epoch on 2,000 images is {result.Test.Accuracy:F2}%%, not well above the 10%% of chance")
        Assert.True(result.Test.Loss < 1.0, $"average test loss {result.Test.Loss}")
        Assert.True(result.TrainLoss < 2.0 && result.TrainAccuracy > 30.0, $"training loss {result.TrainLoss}, accuracy {result.TrainAccuracy}%%")

    [<Fact>]
    member _.``evaluate switches the model to eval mode: the same numbers every time, and gradients back on after``() =
        use testSet = Mnist.Dsl.Training.Data.MnistDataset.Load(settings.DataFolder, train = false)
        use _ = torch.NewDisposeScope()
        let images, labels = Training.first 500 testSet
        torch.manual_seed 3 |> ignore
        use model = defaultNet ()

        let first = Training.evaluate model images labels
        let second = Training.evaluate model images labels

        Assert.False model.training
        Assert.True(torch.is_grad_enabled(), "no_grad must end with the evaluation")
        Assert.Equal(500L, first.Total)
        Assert.InRange(first.Correct, 0L, 500L)
        Assert.True(first.Loss > 0.0)
        // In training mode dropout would draw new masks and BatchNorm would use (and update) batch statistics.
        Assert.Equal(first, second)

    [<Fact>]
    member _.``The sample trains the network named on its command line and prints PyTorch's test line``() =
        use out = new StringWriter()
        let args = [ "small"; "--train-limit"; "1000"; "--test-limit"; "1000"; "--batch-size"; "32"; "--threads"; "1"; "--data"; settings.DataFolder ]

        let code = Cli.run out args
        let text = out.ToString()

        Assert.True((code = 0), text)
        Assert.Contains("Training small for one epoch: SGD momentum 0.9, lr 0.1 (one-cycle), batch 32", text)
        Assert.Contains("  batch 32/32  loss ", text)
        let line = Regex.Match(text, @"Test set: Average loss: (\d+\.\d{4}), Accuracy: (\d+)/1000 \((\d+\.\d\d)%\)")
        Assert.True(line.Success, text)
        let correct = int line.Groups[2].Value
        Assert.True(correct > 300, $"only {correct}/1000 correct after one epoch on 1,000 images:{Environment.NewLine}{text}")
        Assert.Contains("MNIST0001 (error): WideNet has 24,938 parameters", text)

    [<Fact>]
    member _.``Without MNIST the sample says where it looked and how to get it, and exits with 1``() =
        use out = new StringWriter()
        let empty = Directory.CreateTempSubdirectory "mnist-fsharp-"

        try
            let code = Cli.run out [ "--data"; empty.FullName; "--train-limit"; "100" ]

            Assert.Equal(1, code)
            Assert.Contains(empty.FullName, out.ToString())
            Assert.Contains("build.sh fetch-data", out.ToString())
            Assert.DoesNotContain("Test set:", out.ToString())
        finally
            empty.Delete true
