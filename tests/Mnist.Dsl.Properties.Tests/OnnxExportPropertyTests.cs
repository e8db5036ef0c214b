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
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Export;
using Mnist.Dsl.Training.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The ONNX export of random valid stacks (<see cref="ValidStacks"/>: every layer kind, kernels, strides, paddings,
/// Functional flags, input sizes) runs in ONNX Runtime as the generated engine's eval forward computes. Each stack is
/// compiled with the generator against Mnist.Dsl.Engine; its trainer takes two SGD steps on a random batch (so that
/// weights, BatchNorm's affine parameters and running statistics are not their initial values), its weights are
/// written as the trainer writes them and exported (BatchNorm folded for half the stacks, kept for the others), and the engine's eval-mode log-probabilities of another random
/// batch are compared with ONNX Runtime's output and the generated inference class's, reading the same weights file
/// (both log-softmaxed when the network ends in logits, as the engine's loss does). A failure shrinks and prints the declaration. <c>MNIST_DSL_PROPERTY_ONNX</c> sets the number of stacks
/// (suite default 40).
/// </summary>
public class OnnxExportPropertyTests(ITestOutputHelper output)
{
    private const int Batch = 8;
    private static readonly int Count = PropertyRunSize.Read("MNIST_DSL_PROPERTY_ONNX", 40);

    /// <summary>
    /// Relative to 1 + |value|: float32 on both sides, with other kernels and summation orders (and BatchNorm folded on
    /// the ONNX side only). 200 stacks differed by 5e-6 at most (docs/onnx.md); a wrong stride, padding, epsilon or axis
    /// is off by 1e-2 or more.
    /// </summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public void Onnx_exports_of_random_stacks_compute_what_the_engine_computes()
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
        output.WriteLine($"{cases} stacks ({withInference} with a generated inference class) in {clock.Elapsed.TotalSeconds:F1} s; largest difference {largest:G3} relative to 1 + |value|");
        Assert.Equal(Count, cases);
        Assert.True(withInference > cases / 2, $"only {withInference} of {cases} stacks got a generated inference class to compare");
    }

    /// <summary>Grouped convolutions (Conv's group attribute), checked on every run: depthwise with a BatchNorm to fold, groups 2 strided with bias.</summary>
    private static readonly Dictionary<string, ValidStack> GroupedStacks = new()
    {
        ["depthwise, folded BatchNorm"] = Declared(1, 10, 10, new Conv2d(6, 3), new Conv2d(6, 3, Padding: 1, Bias: false, Groups: 6), new BatchNorm2d(), new ReLU(),
            new GlobalAvgPool2d(), new Linear(4)),
        ["groups 2, strided, bias"] = Declared(2, 9, 9, new Conv2d(4, 3, Groups: 2), new Conv2d(6, 3, Stride: 2, Groups: 2), new Flatten(), new Linear(3), new LogSoftmax()),
    };

    public static TheoryData<string> GroupedNames => new(GroupedStacks.Keys);

    [Theory]
    [MemberData(nameof(GroupedNames))]
    public void Onnx_exports_of_grouped_convolutions_compute_what_the_engine_computes(string name)
    {
        Assert.True(Check(GroupedStacks[name]).Largest <= Tolerance);
    }

    /// <summary>Tanh, LeNet's way (a module and a call, a BatchNorm after one), checked on every run: ONNX's Tanh node, the
    /// inference class's in-place stage and the engine's unit on the same weights.</summary>
    [Fact]
    public void Onnx_export_of_a_tanh_network_computes_what_the_engine_computes()
    {
        var (largest, inferred) = Check(Declared(1, 12, 12, new Conv2d(6, 3), new Tanh(), new AvgPool2d(2), new Conv2d(8, 3), new Tanh(true), new BatchNorm2d(),
            new Flatten(), new Linear(12), new Tanh(), new Linear(10)));
        Assert.True(largest <= Tolerance && inferred, $"largest difference {largest}, inference class generated: {inferred}");
    }

    private static ValidStack Declared(int channels, int height, int width, params Layer[] layers) =>
        ValidStacks.Declare(channels, height, width, layers) ?? throw new ArgumentException($"{string.Join(", ", layers)} is not a valid stack");

    /// <summary>The largest difference, relative to 1 + |engine's value|; throws naming the stack when it is over <see cref="Tolerance"/>.</summary>
    private static (double Largest, bool Inferred) Check(ValidStack stack)
    {
        using var compiled = CompiledNetwork.Compile(stack.Source, ValidStack.TypeName, withEngine: true, withInference: true);
        var factory = compiled.TrainerFactory ?? throw Disagree(stack, "the generator emitted no trainer", compiled.GeneratedSource);
        var random = new Random(stack.Source.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        float[] Images() => Enumerable.Range(0, Batch * stack.Channels * stack.Height * stack.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var trainer = factory(new TrainerOptions(Batch, 1, 5, new Sgd(0.01, momentum: 0.9)));
        for (var step = 0; step < 2; step++) trainer.Step(Images(), Enumerable.Range(0, Batch).Select(_ => random.Next(stack.Classes)).ToArray());

        var network = RegisteredNetwork.Create(new NetworkRegistration { Name = "Net", FullName = ValidStack.TypeName, Type = compiled.Type, Definition = compiled.Definition, Summary = compiled.Summary });
        var weights = Path.Combine(Path.GetTempPath(), $"mnist-dsl-onnx-property-{Guid.NewGuid():N}.safetensors");
        byte[] model;
        Mnist.Dsl.Inference.INetworkInference? inference;
        try
        {
            SafeTensorsFile.Write(weights, EngineWeights.StateDict(network, trainer));
            // Half the stacks keep every BatchNorm as a BatchNormalization node, half fold those after a Conv2d or Linear.
            model = OnnxExport.ToOnnx(compiled.Definition, weights, foldBatchNorm: random.Next(2) == 0).Bytes;
            // The generated inference class, where the stack has one (not for a network with no stage, such as a lone Flatten), reads the same weights file.
            inference = compiled.Type.Assembly.GetType(ValidStack.TypeName + "Inference") is { } inferenceType
                ? (Mnist.Dsl.Inference.INetworkInference)inferenceType.GetMethod("Load", new[] { typeof(string) })!.Invoke(null, new object[] { weights })!
                : null;
        }
        finally
        {
            File.Delete(weights);
        }

        var images = Images();
        trainer.Evaluate(images);
        var expected = trainer.LogProbabilities.ToArray();
        var actual = Run(model, images, stack);
        var generated = (float[])expected.Clone();
        inference?.PredictBatch(images, generated);
        var endsInLogSoftmax = stack.Layers.Last(l => l is not (Dropout or Dropout2d)) is LogSoftmax;
        if (!endsInLogSoftmax)
        {
            actual = LogProbabilities.Of(actual, stack.Classes);
            if (inference is not null) generated = LogProbabilities.Of(generated, stack.Classes);
        }

        double largest = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs((double)expected[i]));
            if (double.IsNaN(difference) || difference > Tolerance)
                throw Disagree(stack, $"output {i} (image {i / stack.Classes}, class {i % stack.Classes}): ONNX Runtime {actual[i]}, engine {expected[i]}", compiled.GeneratedSource);
            var inferenceDifference = Math.Abs(generated[i] - expected[i]) / (1 + Math.Abs((double)expected[i]));
            if (double.IsNaN(inferenceDifference) || inferenceDifference > Tolerance)
                throw Disagree(stack, $"output {i} (image {i / stack.Classes}, class {i % stack.Classes}): the generated inference class {generated[i]}, engine {expected[i]}", compiled.GeneratedSource);
            largest = Math.Max(largest, Math.Max(difference, inferenceDifference));
        }
        return (largest, inference is not null);
    }

    private static float[] Run(byte[] model, float[] images, ValidStack stack)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model, options);
        using var input = OrtValue.CreateTensorValueFromMemory(images, new long[] { Batch, stack.Channels, stack.Height, stack.Width });
        using var run = new RunOptions();
        using var results = session.Run(run, new[] { OnnxExport.InputName }, new[] { input }, session.OutputNames);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }

    private static Exception Disagree(ValidStack stack, string problem, string generated) =>
        new Xunit.Sdk.XunitException($"the ONNX export and the generated engine's eval forward disagree on\n{stack.Source}\n  {problem}\ngenerated code:\n{generated}");
}
