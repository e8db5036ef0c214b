/// The command line: which generated network to train, and the few settings a quick run changes. Output goes to
/// a TextWriter, so a test can run the whole program and read what it printed.
module Mnist.FSharp.Cli

open System
open System.Globalization
open System.IO
open Mnist.Dsl.Analysis
open Mnist.Dsl.Training.Definitions
open Mnist.Dsl.Training.Runtime

type Options =
    { Model: string
      Train: bool
      Training: Training.Settings }

let usage =
    String.concat
        Environment.NewLine
        [ "usage: Mnist.FSharp [model] [options]"
          $"""  model              {String.Join(", ", Models.names)} (default: default)"""
          "  --train-limit N    train on the first N training images only (0: all 60,000)"
          "  --test-limit N     test on the first N test images only (0: all 10,000)"
          "  --batch-size N     images per batch (128)"
          "  --lr X             learning rate: the one-cycle schedule's peak, or the constant rate (0.1)"
          "  --constant-lr      keep the learning rate constant instead"
          "  --seed N           random seed (1)"
          "  --threads N        libtorch threads (2)"
          "  --data DIR         folder with the MNIST IDX files (default: $MNIST_DIR, else ~/.cache/mnist-dsl/mnist)"
          "  --no-train         print the summaries and rule results only" ]

let private (|Count|_|) (text: string) =
    match Int32.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture) with
    | true, value -> Some value
    | _ -> None

let private (|Rate|_|) (text: string) =
    match Double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture) with
    | true, value when value > 0.0 && value <= 10.0 -> Some value
    | _ -> None

/// The options the arguments ask for, or what is wrong with them.
let parse (args: string list) =
    let rec go options args =
        let set settings rest = go { options with Training = settings } rest
        let training = options.Training

        match args with
        | [] -> Ok options
        | "--train-limit" :: Count n :: rest -> set { training with TrainLimit = n } rest
        | "--test-limit" :: Count n :: rest -> set { training with TestLimit = n } rest
        | "--batch-size" :: Count n :: rest when n > 0 -> set { training with BatchSize = n } rest
        | "--threads" :: Count n :: rest when n > 0 -> set { training with Threads = n } rest
        | "--seed" :: Count n :: rest -> set { training with Seed = int64 n } rest
        | "--lr" :: Rate lr :: rest -> set { training with LearningRate = lr } rest
        | "--data" :: folder :: rest -> set { training with DataFolder = Path.GetFullPath folder } rest
        | "--constant-lr" :: rest -> set { training with OneCycle = false } rest
        | "--no-train" :: rest -> go { options with Train = false } rest
        | ("--train-limit" | "--test-limit" | "--seed") as option :: value :: _ -> Error $"{option} takes a whole number >= 0, not '{value}'"
        | ("--batch-size" | "--threads") as option :: value :: _ -> Error $"{option} takes a whole number >= 1, not '{value}'"
        | "--lr" :: value :: _ -> Error $"--lr takes a number in (0, 10], not '{value}'"
        | [ option ] when option.StartsWith "--" -> Error $"{option} needs a value"
        | option :: _ when option.StartsWith "--" -> Error $"unknown option {option}"
        | name :: rest when Models.tryFind name |> Option.isSome -> go { options with Model = name } rest
        | name :: _ -> Error $"""unknown model '{name}'; the models are {String.Join(", ", Models.names)}"""

    go { Model = "default"; Train = true; Training = Training.defaults } args

/// Prints the F#-list networks: one that passes the rules and two that break one each.
let printNetworks (out: TextWriter) =
    out.WriteLine()
    out.WriteLine "Networks written as F# lists of layers, checked by the DSL's analysis:"

    for name, layers, details in
        [ "FSharpDefaultNet", Networks.defaultNet, true
          "FSharpBlocksNet", Networks.blocksNet, false
          "WideNet", Networks.wideNet, false
          "NoBatchNorm", Networks.withoutBatchNorm, false ] do
        let definition = Networks.mnist name layers
        out.WriteLine()
        out.WriteLine(definition |> NetworkAnalysis.Analyze |> Networks.describe details)

        // Registering a list for training checks the same rules: one that breaks a rule never gets a module.
        try
            DefinedNetwork.Register definition |> ignore
            out.WriteLine $"{name} can be registered for training."
        with :? NetworkRulesException as refused ->
            out.WriteLine $"Registering {name} for training is refused: {refused.Errors.Count} rule(s) broken."

/// Runs the program: prints the chosen network's summary, trains it for one epoch and tests it, then prints the
/// F#-list networks. Returns the exit code: 0, 1 when training could not run, 2 for bad arguments.
let run (out: TextWriter) (args: string list) =
    match parse args with
    | Error message ->
        out.WriteLine message
        out.WriteLine usage
        2
    | Ok options ->
        let model = (Models.tryFind options.Model).Value
        out.WriteLine $"{model.Definition.Name} ({model.Name}), summary {Models.origin model}:"
        out.WriteLine(model.Summary.ToTable())

        let trained =
            if not options.Train then
                true
            else
                let settings = options.Training
                let schedule = if settings.OneCycle then "one-cycle" else "constant"
                out.WriteLine()

                out.WriteLine(
                    String.Format(
                        CultureInfo.InvariantCulture,
                        "Training {0} for one epoch: SGD momentum 0.9, lr {1} ({2}), batch {3}, seed {4}, {5} threads, data {6}",
                        model.Name, settings.LearningRate, schedule, settings.BatchSize, settings.Seed, settings.Threads, settings.DataFolder
                    )
                )

                let report (p: Training.Progress) =
                    if p.Step % 100 = 0 || p.Step = p.Steps then
                        out.WriteLine(String.Format(CultureInfo.InvariantCulture, "  batch {0}/{1}  loss {2:F4}  accuracy {3:F2}%", p.Step, p.Steps, p.Loss, p.Accuracy))

                try
                    let result = Training.run settings (Models.create model) report
                    out.WriteLine(String.Format(CultureInfo.InvariantCulture, "Trained on {0} images in {1:F1} s", result.TrainImages, result.Seconds))
                    out.WriteLine(string result.Test)
                    true
                with
                | :? FileNotFoundException
                | :? NativeRuntimeException as e ->
                    out.WriteLine e.Message
                    false

        printNetworks out
        if trained then 0 else 1
