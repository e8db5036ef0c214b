using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.ML.OnnxRuntime;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Export;
using Mnist.Dsl.Training.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The generated inference class and the ONNX export compute what the generated engine's eval forward computes, for
/// random valid stacks (<see cref="ValidStacks"/>: every layer kind, grouped and depthwise convolutions, kernels,
/// strides, paddings, Functional flags, input sizes) and for fixed grouped ones. Each stack is compiled once with the
/// generator against Mnist.Dsl.Engine; its trainer takes two SGD steps on a random batch (so that weights, BatchNorm's
/// affine parameters and running statistics are not their initial values), its weights are written as the trainer
/// writes them, then loaded by the inference class and exported to ONNX (BatchNorm folded for half the stacks, kept for
/// the others); the engine's eval-mode log-probabilities of another random batch are compared with the inference
/// class's and ONNX Runtime's (both log-softmaxed when the network ends in logits, as the engine's loss does). A failure
/// shrinks and prints the declaration. <c>MNIST_DSL_PROPERTY_EVAL</c> sets the number of random stacks (suite default 40).
/// </summary>
public class GeneratedForwardsEqualEngineTests(ITestOutputHelper output)
{
    private const int Batch = 8;
    private static readonly int Count = PropertyRunSize.Read("MNIST_DSL_PROPERTY_EVAL", 40);

    /// <summary>
    /// Relative to 1 + |value|: float32 on both sides, with other kernels and summation orders (and BatchNorm folded on
    /// the other side only). 200 stacks differed by 5e-6 at most (docs/onnx.md); a wrong stride, padding, epsilon or axis
    /// is off by 1e-2 or more.
    /// </summary>
    private const double Tolerance = 1e-4;

    private const string InferenceSide = "the generated inference class";
    private const string OnnxSide = "the ONNX export";

    [Fact]
    public void Inference_classes_and_onnx_exports_of_random_stacks_compute_what_the_engine_computes()
    {
        int cases = 0, withInference = 0;
        double largest = 0;
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            var (difference, inferred) = Check(stack);
            lock (this) largest = Math.Max(largest, difference);
            Interlocked.Increment(ref cases);
            if (inferred) Interlocked.Increment(ref withInference);
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Count).WithQuietOnSuccess(true)
            .WithParallelRunConfig(Microsoft.FSharp.Core.FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount))), property);
        output.WriteLine($"{cases} stacks ({withInference} with a generated inference class) in {clock.Elapsed.TotalSeconds:F1} s; " +
            $"largest difference {largest:G3} relative to 1 + |value|");
        Assert.Equal(Count, cases);
        // The plan refuses only networks past its size limits, which the random stacks never reach.
        Assert.True(withInference == cases, $"only {withInference} of {cases} stacks got a generated inference class to compare");
    }

    /// <summary>
    /// Grouped convolutions, checked on every run. The depthwise kernel: padded, with BatchNorm folded into it, a ReLU and
    /// BatchNorm epilogue, 12 channels (a whole vector and a scalar tail), strided; the dense kernel on block-diagonal
    /// weights (groups 2 and a channel multiplier, with bias); Conv's group attribute in ONNX, folded and strided.
    /// </summary>
    private static readonly Dictionary<string, ValidStack> GroupedStacks = new()
    {
        ["depthwise-separable, folded and fused"] = Declared(1, 12, 12, new Conv2d(12, 3, Bias: false), new ReLU(), new BatchNorm2d(),
            new Conv2d(12, 3, Padding: 1, Bias: false, Groups: 12), new BatchNorm2d(), new ReLU(), new BatchNorm2d(), new Conv2d(8, 1),
            new Conv2d(8, 3, Stride: 2, Groups: 8), new GlobalAvgPool2d(), new Linear(10)),
        ["grouped and multiplier"] = Declared(3, 9, 9, new Conv2d(6, 3, Groups: 3), new ReLU(), new Conv2d(4, 3, Padding: 1, Groups: 2), new BatchNorm2d(),
            new Flatten(), new Linear(5), new LogSoftmax()),
        ["depthwise, folded BatchNorm"] = Declared(1, 10, 10, new Conv2d(6, 3), new Conv2d(6, 3, Padding: 1, Bias: false, Groups: 6), new BatchNorm2d(),
            new ReLU(), new GlobalAvgPool2d(), new Linear(4)),
        ["groups 2, strided, bias"] = Declared(2, 9, 9, new Conv2d(4, 3, Groups: 2), new Conv2d(6, 3, Stride: 2, Groups: 2), new Flatten(), new Linear(3),
            new LogSoftmax()),
    };

    public static TheoryData<string> GroupedNames => new(GroupedStacks.Keys);

    [Theory]
    [MemberData(nameof(GroupedNames))]
    public void Inference_classes_and_onnx_exports_of_grouped_convolutions_compute_what_the_engine_computes(string name)
    {
        var (largest, inferred) = Check(GroupedStacks[name]);
        Assert.True(inferred, $"{name}: no generated inference class to compare");
        Assert.True(largest <= Tolerance);
    }

    /// <summary>Tanh, LeNet's way (a module and a call, a BatchNorm after one, a ReLU after one), checked on every run:
    /// the inference class's in-place stage and ONNX's Tanh node against the engine's unit on the same weights.</summary>
    [Fact]
    public void Inference_class_and_onnx_export_of_a_tanh_network_compute_what_the_engine_computes()
    {
        var (largest, inferred) = Check(Declared(1, 12, 12, new Conv2d(6, 3), new Tanh(), new AvgPool2d(2), new Conv2d(8, 3), new Tanh(true),
            new BatchNorm2d(), new Flatten(), new Linear(12), new Tanh(), new ReLU(), new Linear(10)));
        Assert.True(inferred, "no generated inference class to compare");
        Assert.True(largest <= Tolerance, $"largest difference {largest}");
    }

    private static ValidStack Declared(int channels, int height, int width, params Layer[] layers) =>
        ValidStacks.Declare(channels, height, width, layers) ?? throw new ArgumentException($"{string.Join(", ", layers)} is not a valid stack");

    /// <summary>
    /// The largest difference of either side, relative to 1 + |engine's value|, and whether an inference class was
    /// generated (not for a network with no stage); throws naming the side and the stack when one is over <see cref="Tolerance"/>.
    /// </summary>
    private static (double Largest, bool Inferred) Check(ValidStack stack)
    {
        using var compiled = CompiledNetwork.Compile(stack.Source, ValidStack.TypeName, withEngine: true, withInference: true);
        var factory = compiled.TrainerFactory
            ?? throw Disagree($"{InferenceSide} and {OnnxSide}", stack, "the generator emitted no trainer", compiled.GeneratedSource);
        var random = new Random(stack.Source.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        float[] Images() => Enumerable.Range(0, Batch * stack.Channels * stack.Height * stack.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var trainer = factory(new TrainerOptions(Batch, 1, 5, new Sgd(0.01, momentum: 0.9)));
        for (var step = 0; step < 2; step++) trainer.Step(Images(), Enumerable.Range(0, Batch).Select(_ => random.Next(stack.Classes)).ToArray());

        var network = RegisteredNetwork.Create(new NetworkRegistration
        {
            Name = "Net", FullName = ValidStack.TypeName, Type = compiled.Type, Definition = compiled.Definition, Summary = compiled.Summary,
        });
        var weights = Path.Combine(Path.GetTempPath(), $"mnist-dsl-eval-property-{Guid.NewGuid():N}.safetensors");
        byte[] model;
        INetworkInference? inference;
        try
        {
            SafeTensorsFile.Write(weights, EngineWeights.StateDict(network, trainer));
            // Half the stacks keep every BatchNorm as a BatchNormalization node, half fold those after a Conv2d or Linear.
            model = OnnxExport.ToOnnx(compiled.Definition, weights, foldBatchNorm: random.Next(2) == 0).Bytes;
            inference = compiled.Type.Assembly.GetType(ValidStack.TypeName + "Inference") is { } inferenceType
                ? (INetworkInference)inferenceType.GetMethod("Load", [typeof(string)])!.Invoke(null, [weights])!
                : null;
        }
        finally
        {
            File.Delete(weights);
        }

        var images = Images();
        trainer.Evaluate(images);
        var expected = trainer.LogProbabilities.ToArray();
        var endsInLogSoftmax = stack.Layers.Last(l => l is not (Dropout or Dropout2d)) is LogSoftmax;
        float[] AsLogProbabilities(float[] outputs) => endsInLogSoftmax ? outputs : LogProbabilities.Of(outputs, stack.Classes);

        var largest = Compare(OnnxSide, "ONNX Runtime", AsLogProbabilities(RunOnnx(model, images, stack)), expected, stack, compiled);
        if (inference is not null)
        {
            var generated = new float[expected.Length];
            inference.PredictBatch(images, generated);
            largest = Math.Max(largest, Compare(InferenceSide, InferenceSide, AsLogProbabilities(generated), expected, stack, compiled));
        }
        return (largest, inference is not null);
    }

    /// <summary>The largest difference relative to 1 + |engine's value|; throws naming <paramref name="side"/>, the output and the stack past <see cref="Tolerance"/>.</summary>
    private static double Compare(string side, string output, float[] actual, float[] expected, ValidStack stack, CompiledNetwork compiled)
    {
        double largest = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs((double)expected[i]));
            if (double.IsNaN(difference) || difference > Tolerance)
                throw Disagree(side, stack, $"output {i} (image {i / stack.Classes}, class {i % stack.Classes}): {output} {actual[i]}, engine {expected[i]}",
                    compiled.GeneratedSource);
            largest = Math.Max(largest, difference);
        }
        return largest;
    }

    private static float[] RunOnnx(byte[] model, float[] images, ValidStack stack)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(images, new long[] { Batch, stack.Channels, stack.Height, stack.Width });
        using var run = new RunOptions();
        using var results = session.Run(run, new[] { OnnxExport.InputName }, new[] { input }, session.OutputNames);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static Exception Disagree(string side, ValidStack stack, string problem, string generated) =>
        new Xunit.Sdk.XunitException($"{side} and the generated engine's eval forward disagree on\n{stack.Source}\n  {problem}\ngenerated code:\n{generated}");
}
