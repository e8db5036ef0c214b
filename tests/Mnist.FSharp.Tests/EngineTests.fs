/// F# lists on the plain-C# engine: the trainer the engine composes at run time from a list (DefinedNetwork.Register)
/// against the trainer the C# generator wrote for the same layers, and the sample's program training and evaluating an
/// F# list in a process of its own that never maps a native torch library.
module Mnist.FSharp.Tests.EngineTests

open System
open System.Diagnostics
open System.IO
open Mnist.Dsl.Engine
open Mnist.Dsl.Engine.Optim
open Mnist.Dsl.Engine.Trainers
open Mnist.Dsl.Registry
open Mnist.Dsl.Training.Data
open Mnist.Dsl.Training.Definitions
open Mnist.FSharp
open Mnist.Models
open Xunit

let private assertSameBits (expected: float32 array) (actual: float32 array) (what: string) =
    Assert.True((expected.Length = actual.Length), $"{what}: {actual.Length} values, not {expected.Length}")

    for i in 0 .. expected.Length - 1 do
        if BitConverter.SingleToInt32Bits expected[i] <> BitConverter.SingleToInt32Bits actual[i] then
            Assert.Fail($"{what}: value {i} is {actual[i]:R}, not {expected[i]:R}")

[<Fact>]
let ``DefaultNet's layers as an F# list train on the engine to the bits of C# DefaultNet's generated trainer`` () =
    let fsharp = DefinedNetwork.Register(Networks.mnist "FSharpDefaultNet" Networks.defaultNet, "fsharp-default")
    Assert.True(fsharp.HasTrainer, fsharp.NoTrainerReason)
    let csharp = NetworkRegistry.Of(typeof<DefaultNet>.Assembly).Find "default"
    let batch = 32
    // The declared dropout on both sides (same seed, same masks), two threads, SGD with momentum.
    let options () = TrainerOptions(batch, 2, 5UL, Sgd(0.05, 0.9))
    use generated = RegisteredNetworkTrainers.CreateTrainer(csharp, options ())
    use composed = RegisteredNetworkTrainers.CreateTrainer(fsharp, options ())
    Assert.Equal<(string * int * int) seq>(generated.Layout.Entries |> Seq.map (fun struct (n, o, c) -> n, o, c),
                                           composed.Layout.Entries |> Seq.map (fun struct (n, o, c) -> n, o, c))
    Assert.Equal<string seq>(generated.BufferNames, composed.BufferNames)
    assertSameBits (generated.Parameters.ToArray()) (composed.Parameters.ToArray()) "initial parameters"
    let train = MnistImages.Load(MnistImages.DefaultFolder(), true).Limit(4 * batch)

    for step in 0..3 do
        let images = train.Images.AsSpan(step * batch * MnistImages.Pixels, batch * MnistImages.Pixels).ToArray()
        let labels = train.Labels.AsSpan(step * batch, batch).ToArray() |> Array.map int
        let expected = generated.Step(ReadOnlySpan images, ReadOnlySpan labels)
        let actual = composed.Step(ReadOnlySpan images, ReadOnlySpan labels)
        let at = $"step {step + 1}"
        assertSameBits [| expected |] [| actual |] $"{at}: loss"
        assertSameBits (generated.LogProbabilities.ToArray()) (composed.LogProbabilities.ToArray()) $"{at}: log-probabilities"
        assertSameBits (generated.Gradients.ToArray()) (composed.Gradients.ToArray()) $"{at}: gradients"
        assertSameBits (generated.Parameters.ToArray()) (composed.Parameters.ToArray()) $"{at}: parameters"

        for buffer in generated.BufferNames do
            assertSameBits (generated.Buffer(buffer).ToArray()) (composed.Buffer(buffer).ToArray()) $"{at}: {buffer}"

        Assert.Equal(generated.BatchesTracked, composed.BatchesTracked)

/// The sample's build output (it holds libtorch, which the sample references through the trainer library: what
/// matters is that training an F# list on the engine never loads it).
let private sampleFolder =
#if DEBUG
    let configuration = "Debug"
#else
    let configuration = "Release"
#endif
    Path.GetFullPath(Path.Combine(__SOURCE_DIRECTORY__, "..", "..", "src", "Samples", "Mnist.FSharp", "bin", configuration, "net10.0"))

/// The native torch libraries (libtorch*, libc10*, libLibTorchSharp*) a memory map names.
let private nativeTorch (maps: string) =
    maps.Split('\n', StringSplitOptions.RemoveEmptyEntries)
    |> Array.map (fun line -> nonNull (Path.GetFileName(line.Split(' ', StringSplitOptions.RemoveEmptyEntries) |> Array.last)))
    |> Array.filter (fun file -> file.StartsWith "libtorch" || file.StartsWith "libc10" || file.StartsWith "libLibTorchSharp")
    |> Array.distinct
    |> Array.sort

/// The sample's program in its own process, with the startup hook (StartupHook.fs) dumping its memory map at exit.
let private runSample (args: string list) (maps: string) =
    let start = ProcessStartInfo("dotnet", RedirectStandardOutput = true, RedirectStandardError = true)
    start.ArgumentList.Add(Path.Combine(sampleFolder, "Mnist.FSharp.dll"))
    for a in args do start.ArgumentList.Add a
    start.Environment["DOTNET_STARTUP_HOOKS"] <- typeof<StartupHook>.Assembly.Location
    start.Environment["MNIST_DSL_MAPS_DUMP"] <- maps
    use p = nonNull (Process.Start start)
    let err = p.StandardError.ReadToEndAsync()
    let out = p.StandardOutput.ReadToEnd()
    p.WaitForExit()
    Assert.True((p.ExitCode = 0), $"exit {p.ExitCode}: {String.Join(' ', args)}{Environment.NewLine}{out}{err.Result}")
    out, File.ReadAllText maps

[<Fact>]
let ``The F# sample trains and evaluates an F# list on the engine by default in a process that maps no native torch library`` () =
    let work = Directory.CreateTempSubdirectory "mnist-fsharp-native-free-"

    try
        let output = Path.Combine(work.FullName, "run")
        let maps = Path.Combine(work.FullName, "maps")

        let trained, trainMaps =
            runSample [ "train"; "fsharp-blocks"; "--epochs"; "1"; "--train-limit"; "512"; "--test-limit"; "100"; "--batch-size"; "32"; "--output"; output ] maps

        Assert.Contains("Training fsharp-blocks for 1 epochs", trained)
        Assert.Contains("engine generated", trained)
        Assert.Contains("Mnist.FSharp.dll", trainMaps) // the dump is the sample's own map, written at its exit
        Assert.Contains("Mnist.Dsl.Engine.dll", trainMaps)
        Assert.Equal<string array>([||], nativeTorch trainMaps)

        let evaluated, evalMaps =
            runSample [ "eval"; "fsharp-blocks"; "--weights"; Path.Combine(output, "best.safetensors"); "--test-limit"; "100" ] maps

        Assert.Contains("Accuracy: ", evaluated)
        Assert.Equal<string array>([||], nativeTorch evalMaps)
    finally
        work.Delete true

/// The check above can fail: this process runs TorchSharp, and the same scan of its own memory map finds libtorch.
[<Fact>]
let ``The memory-map scan finds libtorch and libLibTorchSharp where they are loaded`` () =
    use _ = TorchSharp.torch.zeros [| 1L |]
    let found = nativeTorch (File.ReadAllText "/proc/self/maps")
    Assert.Contains("libtorch_cpu.so", found)
    Assert.Contains("libLibTorchSharp.so", found)

/// An F# list the engine composes at run time (TrainerBlueprint.For, through each kind's engine call): one SGD step's
/// loss and gradients are libtorch's on the module built at run time from the same list (DefinedModule, through each
/// kind's TorchSharp description), same weights.
let private trainsWithLibtorchsLossAndGradients (name: string) (registryName: string) (layers: Mnist.Dsl.Layers.Layer list) =
    let definition = Mnist.Dsl.Analysis.NetworkDefinition(name, 1, 10, 10, layers, requires = Mnist.Dsl.RequiredLayers.None)
    let network = DefinedNetwork.Register(definition, registryName)
    Assert.True(network.HasTrainer, network.NoTrainerReason)
    let batch = 8
    use trainer = RegisteredNetworkTrainers.CreateTrainer(network, TrainerOptions(batch, 1, 3UL, Sgd(0.0, 0.0)))
    let random = Random(4)
    let images = Array.init (batch * 100) (fun _ -> float32 (random.NextDouble() * 4.0 - 2.0))
    let labels = Array.init batch (fun i -> i % 10)
    let initial = trainer.Parameters.ToArray()
    let loss = trainer.Step(ReadOnlySpan images, ReadOnlySpan labels)
    let gradients = trainer.Gradients.ToArray()

    use _ = TorchSharp.torch.NewDisposeScope()
    use m = new Mnist.Dsl.Torch.DefinedModule(definition)
    m.train()
    let mutable offset = 0
    for p in m.parameters() do
        let n = int (p.numel())
        use _ = TorchSharp.torch.no_grad()
        p.copy_(TorchSharp.torch.tensor(initial[offset .. offset + n - 1], ReadOnlySpan<int64>(p.shape))) |> ignore
        offset <- offset + n
    Assert.Equal(initial.Length, offset)
    let x = TorchSharp.torch.tensor(images, ReadOnlySpan<int64>([| int64 batch; 1L; 10L; 10L |]))
    let torchLoss = TorchSharp.torch.nn.functional.cross_entropy(m.forward x, TorchSharp.torch.tensor(labels |> Array.map int64))
    torchLoss.backward()
    let expected = m.parameters() |> Seq.collect (fun p -> (nonNull p.grad).data<float32>().ToArray()) |> Array.ofSeq

    Assert.True(abs (float (loss - torchLoss.item<float32>())) <= 1e-5 * (1.0 + abs (float loss)), $"loss: the engine {loss}, libtorch {torchLoss.item<float32>()}")
    let largest = expected |> Array.map abs |> Array.max
    Assert.True(largest > 0f, "libtorch's gradients are all zero: the comparison would show nothing")
    for i in 0 .. expected.Length - 1 do
        Assert.True(abs (gradients[i] - expected[i]) <= 1e-4f * largest, $"gradient {i}: the engine {gradients[i]}, libtorch {expected[i]}")

/// LeakyReLU in an F# list (as a module and as a call, slopes 0.2, -0.5 and the default).
[<Fact>]
let ``An F# list with LeakyReLU trains on the engine with libtorch's loss and gradients`` () =
    trainsWithLibtorchsLossAndGradients "FSharpLeaky" "fsharp-leaky"
        [ Mnist.Dsl.Layers.Conv2d(4, 3, Bias = false); Mnist.Dsl.Layers.LeakyReLU(0.2); Mnist.Dsl.Layers.BatchNorm2d()
          Mnist.Dsl.Layers.LeakyReLU(-0.5, Functional = true); Mnist.Dsl.Layers.MaxPool2d(2); Mnist.Dsl.Layers.Flatten()
          Mnist.Dsl.Layers.Linear(12); Mnist.Dsl.Layers.LeakyReLU(); Mnist.Dsl.Layers.Linear(10) ]

/// Tanh in an F# list, LeNet's way (convolution, tanh, average pooling; tanh between the fully connected layers), as a
/// module and as a call.
[<Fact>]
let ``An F# list with Tanh trains on the engine with libtorch's loss and gradients`` () =
    trainsWithLibtorchsLossAndGradients "FSharpTanh" "fsharp-tanh"
        [ Mnist.Dsl.Layers.Conv2d(4, 3); Mnist.Dsl.Layers.Tanh(); Mnist.Dsl.Layers.AvgPool2d(2)
          Mnist.Dsl.Layers.Conv2d(6, 2); Mnist.Dsl.Layers.Tanh(Functional = true); Mnist.Dsl.Layers.Flatten()
          Mnist.Dsl.Layers.Linear(12); Mnist.Dsl.Layers.Tanh(); Mnist.Dsl.Layers.Linear(10) ]
