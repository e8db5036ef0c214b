/// One epoch of training on MNIST with TorchSharp, then an evaluation on the test set: the loop of
/// src/Samples/Mnist.Train/Trainer.cs, written in F#.
module Mnist.FSharp.Training

open System
open System.Diagnostics
open System.Globalization
open Mnist.Dsl.Training.Data
open Mnist.Dsl.Training.Runtime
open TorchSharp

type Settings =
    { BatchSize: int
      /// The peak rate of the one-cycle schedule, or the constant rate without it.
      LearningRate: float
      OneCycle: bool
      /// Train on the first N training images only (0: all 60,000).
      TrainLimit: int
      /// Test on the first N test images only (0: all 10,000).
      TestLimit: int
      Seed: int64
      Threads: int
      /// The folder holding the four MNIST IDX files.
      DataFolder: string }

/// The trainer's defaults: batch 128, SGD with momentum 0.9 and a one-cycle schedule peaking at 0.1, seed 1, 2 threads.
let defaults =
    { BatchSize = 128
      LearningRate = 0.1
      OneCycle = true
      TrainLimit = 0
      TestLimit = 0
      Seed = 1
      Threads = 2
      DataFolder = MnistDataset.DefaultFolder() }

/// Average loss and correct predictions over a test set.
type Evaluation =
    { Loss: float
      Correct: int64
      Total: int64 }

    member e.Accuracy = 100.0 * float e.Correct / float e.Total

    /// The line PyTorch's MNIST example prints.
    override e.ToString() =
        String.Format(CultureInfo.InvariantCulture, "Test set: Average loss: {0:F4}, Accuracy: {1}/{2} ({3:F2}%)", e.Loss, e.Correct, e.Total, e.Accuracy)

/// Where an epoch is, reported after every batch.
type Progress =
    { Step: int
      Steps: int
      /// Mean training loss so far.
      Loss: float
      /// Training accuracy so far, in percent.
      Accuracy: float }

type EpochResult =
    { TrainLoss: float
      TrainAccuracy: float
      TrainImages: int64
      Test: Evaluation
      /// The time the epoch's training took, without the evaluation.
      Seconds: float }

/// The first `limit` samples of a set (all of it when 0), as views that the enclosing dispose scope frees.
let first limit (data: MnistDataset) =
    if limit <= 0 || int64 limit >= data.Count then
        data.Images, data.Labels
    else
        data.Images.narrow(0, 0, limit), data.Labels.narrow(0, 0, limit)

/// Average NLL loss and correct count over images and labels, in eval mode without gradients.
let evaluate (model: Models.Network) (images: torch.Tensor) (labels: torch.Tensor) =
    model.eval()
    use _ = torch.no_grad()

    let loss, correct =
        BatchIterator(images, labels, 1000, shuffle = false)
        |> Seq.fold
            (fun (loss, correct) struct (x, y) ->
                use _ = torch.NewDisposeScope()
                let output = model.forward x
                let batchLoss = torch.nn.functional.nll_loss(output, y, reduction = torch.nn.Reduction.Sum)
                loss + float (batchLoss.item<float32> ()), correct + output.argmax(1).eq(y).sum().item<int64>())
            (0.0, 0L)

    let total = labels.size 0
    { Loss = loss / float total; Correct = correct; Total = total }

/// One pass over the batches: forward, NLL loss, backward, optimizer step and `afterStep` (the schedule), each
/// step in its own dispose scope. Returns the mean training loss, the training accuracy and the images seen.
let trainEpoch (model: Models.Network) (optimizer: torch.optim.Optimizer) afterStep report (batches: BatchIterator) =
    model.train()
    let steps = int batches.Count

    let loss, correct, seen, _ =
        batches
        |> Seq.fold
            (fun (loss, correct, seen, step) struct (images, labels) ->
                use _ = torch.NewDisposeScope()
                optimizer.zero_grad()
                let output = model.forward images
                let batchLoss = torch.nn.functional.nll_loss(output, labels)
                batchLoss.backward()
                optimizer.step() |> ignore
                afterStep ()
                let count = labels.size 0
                let loss = loss + float (batchLoss.item<float32> ()) * float count
                let correct = correct + output.argmax(1).eq(labels).sum().item<int64>()
                let seen = seen + count
                report { Step = step + 1; Steps = steps; Loss = loss / float seen; Accuracy = 100.0 * float correct / float seen }
                loss, correct, seen, step + 1)
            (0.0, 0L, 0L, 0)

    loss / float seen, 100.0 * float correct / float seen, seen

/// Trains a new model for one epoch with SGD (momentum 0.9), one-cycle or constant rate, and evaluates it.
let run (settings: Settings) (create: unit -> Models.Network) report =
    // First, so that a runtime that cannot load says so in one line (NativeRuntimeException) rather than at a random call.
    NativeRuntime.EnsureLoaded()
    torch.set_num_threads settings.Threads
    torch.manual_seed settings.Seed |> ignore
    use trainSet = MnistDataset.Load(settings.DataFolder, train = true)
    use testSet = MnistDataset.Load(settings.DataFolder, train = false)
    use _ = torch.NewDisposeScope()
    let trainImages, trainLabels = first settings.TrainLimit trainSet
    let testImages, testLabels = first settings.TestLimit testSet

    use model = create ()
    use optimizer = torch.optim.SGD(model.parameters(), settings.LearningRate, momentum = 0.9)
    let batches = BatchIterator(trainImages, trainLabels, settings.BatchSize, shuffle = true)

    let afterStep =
        if settings.OneCycle then
            let schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, settings.LearningRate, total_steps = int batches.Count)
            fun () -> schedule.step()
        else
            ignore

    let clock = Stopwatch.StartNew()
    let trainLoss, trainAccuracy, seen = trainEpoch model optimizer afterStep report batches
    let seconds = clock.Elapsed.TotalSeconds

    { TrainLoss = trainLoss
      TrainAccuracy = trainAccuracy
      TrainImages = seen
      Test = evaluate model testImages testLabels
      Seconds = seconds }
