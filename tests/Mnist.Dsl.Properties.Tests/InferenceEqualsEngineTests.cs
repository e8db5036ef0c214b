using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Inference;
using Mnist.Dsl.Layers;
using Mnist.Dsl.Registry;
using Mnist.Dsl.Training.Engine;
using Mnist.Dsl.Training.Serialization;
using Xunit;
using Xunit.Abstractions;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The generated inference class computes what the generated engine's eval forward computes, for random valid stacks
/// (<see cref="ValidStacks"/>, grouped and depthwise convolutions among them) and for fixed grouped ones. Each stack is
/// compiled with the generator against Mnist.Dsl.Engine; its trainer takes two SGD steps on a random batch (weights,
/// BatchNorm's affine parameters and running statistics move off their initial values), its weights are written as the
/// trainer writes them and loaded by the inference class, and the log-probabilities of another batch are compared
/// (log-softmaxed on the inference side when the network ends in logits, as the engine's loss does).
/// <c>MNIST_DSL_PROPERTY_INFERENCE</c> sets the number of random stacks (suite default 30).
/// </summary>
public class InferenceEqualsEngineTests(ITestOutputHelper output)
{
    private const int Batch = 6;
    private static readonly int Count = PropertyRunSize.Read("MNIST_DSL_PROPERTY_INFERENCE", 30);

    /// <summary>Relative to 1 + |value|, as the ONNX property: float32 on both sides, other kernels and summation orders, BatchNorm folded here only.</summary>
    private const double Tolerance = 1e-4;

    [Fact]
    public void Inference_classes_of_random_stacks_compute_what_the_engine_computes()
    {
        int cases = 0, compared = 0;
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            if (Check(stack) is not null) Interlocked.Increment(ref compared);
            Interlocked.Increment(ref cases);
        });
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Count).WithQuietOnSuccess(true)
            .WithParallelRunConfig(Microsoft.FSharp.Core.FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount))), property);
        output.WriteLine($"{cases} stacks, {compared} with an inference class, in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(Count, cases);
        // The plan refuses only networks past its size limits, which the random stacks never reach.
        Assert.Equal(cases, compared);
    }

    private static readonly Dictionary<string, ValidStack> GroupedStacks = new()
    {
        // The depthwise kernel: padded, with BatchNorm folded into it, a ReLU and BatchNorm epilogue, 12 channels (a
        // whole vector and a scalar tail), strided.
        ["depthwise-separable, folded and fused"] = Declared(1, 12, 12, new Conv2d(12, 3, Bias: false), new ReLU(), new BatchNorm2d(),
            new Conv2d(12, 3, Padding: 1, Bias: false, Groups: 12), new BatchNorm2d(), new ReLU(), new BatchNorm2d(), new Conv2d(8, 1),
            new Conv2d(8, 3, Stride: 2, Groups: 8), new GlobalAvgPool2d(), new Linear(10)),
        // The dense kernel on block-diagonal weights: groups 2 and a channel multiplier, with bias.
        ["grouped and multiplier"] = Declared(3, 9, 9, new Conv2d(6, 3, Groups: 3), new ReLU(), new Conv2d(4, 3, Padding: 1, Groups: 2), new BatchNorm2d(),
            new Flatten(), new Linear(5), new LogSoftmax()),
    };

    public static TheoryData<string> GroupedNames => new(GroupedStacks.Keys);

    [Theory]
    [MemberData(nameof(GroupedNames))]
    public void Grouped_and_depthwise_inference_computes_what_the_engine_computes(string name)
    {
        Assert.NotNull(Check(GroupedStacks[name]));
    }

    /// <summary>Tanh's in-place stage, checked on every run: LeNet's way, as a module and a call, once with a BatchNorm
    /// after it (the kernel's epilogue) and once before a ReLU.</summary>
    [Fact]
    public void Tanh_inference_computes_what_the_engine_computes()
    {
        Assert.NotNull(Check(Declared(1, 12, 12, new Conv2d(6, 3), new Tanh(), new AvgPool2d(2), new Conv2d(8, 3), new Tanh(true), new BatchNorm2d(),
            new Flatten(), new Linear(12), new Tanh(), new ReLU(), new Linear(10))));
    }

    private static ValidStack Declared(int channels, int height, int width, params Layer[] layers) =>
        ValidStacks.Declare(channels, height, width, layers) ?? throw new ArgumentException($"{string.Join(", ", layers)} is not a valid stack");

    /// <summary>The largest difference relative to 1 + |engine's value|, or null when no inference class was generated; throws naming the stack past <see cref="Tolerance"/>.</summary>
    private static double? Check(ValidStack stack)
    {
        using var compiled = CompiledNetwork.Compile(stack.Source, ValidStack.TypeName, withEngine: true, withInference: true);
        var factory = compiled.TrainerFactory ?? throw Disagree(stack, "the generator emitted no trainer", compiled.GeneratedSource);
        var inferenceType = compiled.Type.Assembly.GetType(ValidStack.TypeName + "Inference");
        if (inferenceType is null) return null;
        var random = new Random(stack.Source.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        float[] Images() => Enumerable.Range(0, Batch * stack.Channels * stack.Height * stack.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        using var trainer = factory(new TrainerOptions(Batch, 1, 5, new Sgd(0.01, momentum: 0.9)));
        for (var step = 0; step < 2; step++) trainer.Step(Images(), Enumerable.Range(0, Batch).Select(_ => random.Next(stack.Classes)).ToArray());

        var network = RegisteredNetwork.Create(new NetworkRegistration
        {
            Name = "Net", FullName = ValidStack.TypeName, Type = compiled.Type, Definition = compiled.Definition, Summary = compiled.Summary,
        });
        var weights = Path.Combine(Path.GetTempPath(), $"mnist-dsl-inference-property-{Guid.NewGuid():N}.safetensors");
        INetworkInference inference;
        try
        {
            SafeTensorsFile.Write(weights, EngineWeights.StateDict(network, trainer));
            var load = inferenceType.GetMethod("Load", BindingFlags.Public | BindingFlags.Static, [typeof(string)])!;
            inference = (INetworkInference)load.Invoke(null, [weights])!;
        }
        finally
        {
            File.Delete(weights);
        }

        var images = Images();
        trainer.Evaluate(images);
        var expected = trainer.LogProbabilities.ToArray();
        var actual = new float[Batch * stack.Classes];
        inference.PredictBatch(images, actual);
        var endsInLogSoftmax = stack.Layers.Last(l => l is not (Dropout or Dropout2d)) is LogSoftmax;
        if (!endsInLogSoftmax) actual = LogProbabilities.Of(actual, stack.Classes);

        double largest = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            var difference = Math.Abs(actual[i] - expected[i]) / (1 + Math.Abs((double)expected[i]));
            if (double.IsNaN(difference) || difference > Tolerance)
                throw Disagree(stack, $"output {i} (image {i / stack.Classes}, class {i % stack.Classes}): inference class {actual[i]}, engine {expected[i]}", compiled.GeneratedSource);
            largest = Math.Max(largest, difference);
        }
        return largest;
    }

    private static Exception Disagree(ValidStack stack, string problem, string generated) =>
        new Xunit.Sdk.XunitException($"the generated inference class and the generated engine's eval forward disagree on\n{stack.Source}\n  {problem}\ngenerated code:\n{generated}");
}
