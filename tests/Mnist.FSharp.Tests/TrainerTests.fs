/// The sample's program, MnistTrainer.Run(argv, Models.all), on the F# lists and the attributed F# class: list, summary, train (into a run
/// folder), eval and --resume through the trainer library, as a C# network gets them. In process, with the console
/// captured; no test runs in parallel with these (AssemblyInfo.fs): the console, libtorch's thread count and its
/// random generator are process-wide.
module Mnist.FSharp.Tests.TrainerTests

open System
open System.Globalization
open System.IO
open Mnist.Dsl.Analysis
open Mnist.Dsl.Layers
open Mnist.Dsl.Registry
open Mnist.Dsl.Training
open Mnist.Dsl.Training.Definitions
open Mnist.Dsl.Training.Serialization
open Mnist.Dsl.Torch
open Mnist.FSharp
open Mnist.Models
open TorchSharp
open Xunit

type private Run = { Code: int; Out: string; Err: string }

/// What the sample's main does over <paramref name="networks"/>, with stdout and stderr captured.
let private runWith (networks: RegisteredNetwork list) (args: string list) =
    let out, err = new StringWriter(), new StringWriter()
    let stdout, stderr = Console.Out, Console.Error
    Console.SetOut out
    Console.SetError err

    try
        let code = MnistTrainer.Run(Array.ofList args, networks)
        { Code = code; Out = out.ToString(); Err = err.ToString() }
    finally
        Console.SetOut stdout
        Console.SetError stderr

/// What the sample's main does, with stdout and stderr captured.
let private run (args: string list) = runWith Models.all args

/// An F# list that keeps every rule but that the engine cannot train: its max pooling window has 17×17 taps, more
/// than the 256 the engine keeps a winner's index for. Registered here only, not in the sample.
let private widePool =
    DefinedNetwork.Register(
        Networks.mnist "WidePoolNet" [ yield! Networks.block 8; MaxPool2d(17); GlobalAvgPool2d(); Linear(10); LogSoftmax() ],
        "widepool"
    )

let private assertExit expected (result: Run) =
    Assert.True((result.Code = expected), $"exit {result.Code}, not {expected}{Environment.NewLine}{result.Out}{result.Err}")

/// A subset small enough for a test: batches of 32 (2,000 images make 63 steps), one libtorch thread (on shared
/// cores two spinning OpenMP threads per operation make an epoch several times slower).
let private quick = [ "--train-limit"; "2000"; "--test-limit"; "500"; "--batch-size"; "32"; "--threads"; "1" ]

/// metrics.csv's epoch rows, each as its fields.
let private metrics folder =
    File.ReadAllLines(Path.Combine(folder, "metrics.csv")) |> Array.skip 1 |> Array.map _.Split(',')

let private testCorrect (row: string array) = int row[5]

let private withTemporaryFolder (test: string -> unit) =
    let folder = Directory.CreateTempSubdirectory "mnist-fsharp-"

    try
        test folder.FullName
    finally
        folder.Delete true

[<Fact>]
let ``list shows the F# lists after the C# networks, with their parameters and receptive fields`` () =
    let result = run [ "list" ]

    assertExit 0 result
    let names = result.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries) |> Array.map (fun l -> l.Split(' ')[0]) |> List.ofArray
    Assert.Equal<string list>(Models.all |> List.map _.Name, names)
    Assert.Equal<string list>([ "fsharp-default"; "fsharp-blocks"; "fsharp-attributed" ], List.skip (names.Length - 3) names)
    // One column for every name: the longest, fsharp-attributed, sets it. The attributed class has C# DefaultNet's count.
    Assert.Contains("fsharp-default      16,538 parameters  RF  28  DefaultNet's layers as an F# list", result.Out)
    Assert.Contains("fsharp-blocks        7,426 parameters  RF  28", result.Out)
    Assert.Contains("fsharp-attributed   16,538 parameters  RF  28  DefaultNet's layers as attributes on an F# class", result.Out)
    Assert.Contains("small               ", result.Out)

[<Fact>]
let ``summary of an F# list prints the tables the analysis computes from the list`` () =
    let expected = (Networks.mnist "FSharpBlocksNet" Networks.blocksNet |> NetworkAnalysis.Analyze).Summary |> nonNull

    let result = run [ "summary"; "fsharp-blocks" ]

    assertExit 0 result
    Assert.Contains(expected.ToTable(), result.Out)
    Assert.Contains(expected.ToDetailTable(), result.Out)
    Assert.Contains("Total params: 7,426", result.Out)

[<Fact>]
let ``An unknown model is one line on stderr naming every network, the F# ones too, and exit code 2`` () =
    let result = run [ "train"; "bignet" ]

    assertExit 2 result
    Assert.Equal(
        "error: Unknown model 'bignet'. Known models: default, fast, seed001-1, seed001-2, seed002, seed004, small, tiny, fsharp-default, fsharp-blocks, fsharp-attributed (see `list`).",
        result.Err.TrimEnd()
    )

[<Fact>]
let ``--engine generated on an F# list the engine cannot train says why and what to use, before writing anything`` () =
    withTemporaryFolder (fun work ->
        let output = Path.Combine(work, "run")

        let result = runWith (Models.all @ [ widePool ]) [ "train"; "widepool"; "--engine"; "generated"; "--output"; output ]

        assertExit 2 result
        Assert.Equal(
            "error: widepool has no trainer on the engine (WidePoolNet's layer 5 is MaxPool2d(17): the engine's max pooling handles windows of up to 256 taps (16x16); use a smaller kernel or AvgPool2d), so it cannot train on --engine generated; use --engine torch.",
            result.Err.TrimEnd()
        )
        Assert.False(Directory.Exists output))

/// The acceptance item: an F# list trains for one epoch on a subset through the library, and the weights it writes
/// are DefaultNet's state dict, key for key and shape for shape, so C#'s generated inference class loads them.
/// --engine torch is given, so that what trains is the module built from the F# list (DefinedModule); the default is
/// the engine (tested below).
[<Fact>]
let ``An F# list trains one epoch through the library into a run folder whose weights are C# DefaultNet's state dict`` () =
    withTemporaryFolder (fun work ->
        let output = Path.Combine(work, "run")

        let result = run ([ "train"; "fsharp-default"; "--engine"; "torch"; "--epochs"; "1"; "--output"; output ] @ quick)

        assertExit 0 result
        Assert.Contains("Training fsharp-default for 1 epochs", result.Out)
        Assert.Contains("engine torch", result.Out)
        let rows = metrics output
        Assert.Equal(1, rows.Length)
        let accuracy = Double.Parse(rows[0][4], CultureInfo.InvariantCulture)
        Assert.True(accuracy > 60.0, $"test accuracy after one epoch on 2,000 images is {accuracy}%%, not well above the 10%% of chance")
        Assert.Equal("500", rows[0][6])
        // Its report.html has the curves and tables, and says why it shows no predictions: an F# list has no inference class.
        let report = File.ReadAllText(Path.Combine(output, "report.html"))
        Assert.Contains("id=\"no-predictions\"", report)
        Assert.Contains("fsharp-default has no inference class", report)
        Assert.Contains("id=\"layers-table\"", report)

        // The weights file against a freshly built C# DefaultNet: the same keys, shapes and dtypes.
        use _ = torch.NewDisposeScope()
        use csharp = new DefaultNet()

        let expected =
            [ for KeyValue(key, tensor) in csharp.state_dict() ->
                  key, List.ofArray tensor.shape, (if tensor.dtype = torch.ScalarType.Int64 then "I64" else "F32") ]
            |> List.sort

        let best = Path.Combine(output, "best.safetensors")
        let tensors, _ = SafeTensorsFile.Read best
        let written = [ for KeyValue(key, tensor) in tensors -> key, List.ofArray tensor.Shape, tensor.Dtype ] |> List.sort
        Assert.Equal<(string * int64 list * string) list>(expected, written)

        // Evaluated again from the file: as the F# list (it has no inference class: its trainer on the engine, composed at
        // run time, computes it in eval mode) and as C#'s DefaultNet on its generated inference class; both find the
        // epoch's test result, which TorchSharp computed.
        let evaluate model = run [ "eval"; model; "--weights"; best; "--test-limit"; "500"; "--threads"; "1" ]
        let asFSharp = evaluate "fsharp-default"
        let asCSharp = evaluate "default"
        assertExit 0 asFSharp
        assertExit 0 asCSharp
        Assert.Contains($"Accuracy: {testCorrect rows[0]}/500", asFSharp.Out)
        Assert.Contains($"Accuracy: {testCorrect rows[0]}/500", asCSharp.Out))

[<Fact>]
let ``An F# list trains on the engine by default, and a stopped run resumes to the numbers of one that did not stop`` () =
    withTemporaryFolder (fun work ->
        let output = Path.Combine(work, "run")
        let straight = Path.Combine(work, "straight")

        let stopped = run ([ "train"; "fsharp-blocks"; "--epochs"; "2"; "--stop-after"; "1"; "--output"; output ] @ quick)

        assertExit 130 stopped
        Assert.Contains("engine generated", stopped.Out)
        Assert.Contains("\"engine\": \"generated\"", File.ReadAllText(Path.Combine(output, "settings.json")))
        let first = metrics output
        Assert.Equal(1, first.Length)

        let resumed = run [ "train"; "--output"; output; "--resume" ]

        assertExit 0 resumed
        Assert.Contains("Resuming fsharp-blocks for 2 epochs", resumed.Out)
        let both = metrics output
        Assert.Equal(2, both.Length)
        Assert.Equal<string array>(first[0], both[0])

        // The engine is deterministic: the same run without the stop ends in the same test result and weights.
        assertExit 0 (run ([ "train"; "fsharp-blocks"; "--epochs"; "2"; "--output"; straight ] @ quick))
        let straightRows = metrics straight
        Assert.Equal<string array>(both[1][1..7], straightRows[1][1..7]) // all but the epoch number and its seconds
        let weights folder = File.ReadAllBytes(Path.Combine(folder, "last.safetensors"))
        Assert.Equal<byte array>(weights straight, weights output)

        // And eval of the F# list's weights runs its trainer's eval forward: the run's last test line.
        let evaluated = run [ "eval"; "fsharp-blocks"; "--weights"; Path.Combine(output, "last.safetensors"); "--test-limit"; "500"; "--threads"; "1" ]
        assertExit 0 evaluated
        Assert.Contains($"Accuracy: {testCorrect both[1]}/500", evaluated.Out))

[<Fact>]
let ``An F# list the engine cannot train trains on TorchSharp by default, saying why`` () =
    withTemporaryFolder (fun work ->
        let output = Path.Combine(work, "run")

        let result =
            runWith (Models.all @ [ widePool ]) [ "train"; "widepool"; "--epochs"; "1"; "--train-limit"; "64"; "--test-limit"; "32"; "--batch-size"; "32"; "--threads"; "1"; "--output"; output ]

        assertExit 0 result
        Assert.Contains("widepool has no trainer on the engine (WidePoolNet's layer 5 is MaxPool2d(17)", result.Out)
        Assert.Contains(": training on TorchSharp (--engine torch).", result.Out)
        Assert.Contains("\"engine\": \"torch\"", File.ReadAllText(Path.Combine(output, "settings.json"))))

/// The attributed F# class (Attributed.fs), found by AttributedNetworks as MnistTrainer.Run(argv) finds an F# entry
/// assembly's networks: DefaultNet's layers in source order, and DefaultNet's parameters.
[<Fact>]
let ``The attributed F# class is found at run time with C# DefaultNet's layers, in order, and its parameter count`` () =
    let discovered = AttributedNetworks.Of(typeof<AttributedNet>.Assembly)
    let network = Assert.Single discovered
    let csharp = NetworkRegistry.Of(typeof<DefaultNet>.Assembly).Find "default"

    Assert.Equal("fsharp-attributed", network.Name)
    Assert.Equal("AttributedNet", network.Definition.Name)
    Assert.StartsWith("DefaultNet's layers as attributes", network.Description)
    Assert.Equal<Layer seq>(DefaultNet.Definition.Layers, network.Definition.Layers)
    Assert.Equal(csharp.Summary.TotalParameters, network.Summary.TotalParameters)
    Assert.Equal(16538L, network.Summary.TotalParameters)
    Assert.True(network.HasTrainer, network.NoTrainerReason)
    // An assembly with a generated registry is the registry's: nothing is found twice.
    Assert.Empty(AttributedNetworks.Of(typeof<DefaultNet>.Assembly))

[<Fact>]
let ``The attributed F# class trains on the engine, resumes a stopped run and evaluates its weights`` () =
    withTemporaryFolder (fun work ->
        let output = Path.Combine(work, "run")
        let short = [ "--train-limit"; "512"; "--test-limit"; "100"; "--batch-size"; "32"; "--threads"; "1" ]

        let stopped = run ([ "train"; "fsharp-attributed"; "--epochs"; "2"; "--stop-after"; "1"; "--output"; output ] @ short)

        assertExit 130 stopped
        Assert.Contains("Training fsharp-attributed for 2 epochs", stopped.Out)
        Assert.Contains("engine generated", stopped.Out)
        Assert.Equal(1, (metrics output).Length)

        let resumed = run [ "train"; "--output"; output; "--resume" ]

        assertExit 0 resumed
        Assert.Contains("Resuming fsharp-attributed for 2 epochs", resumed.Out)
        let rows = metrics output
        Assert.Equal(2, rows.Length)
        Assert.Equal("100", rows[1][6])

        let evaluated = run [ "eval"; "fsharp-attributed"; "--weights"; Path.Combine(output, "last.safetensors"); "--test-limit"; "100"; "--threads"; "1" ]
        assertExit 0 evaluated
        Assert.Contains($"Accuracy: {testCorrect rows[1]}/100", evaluated.Out))
