using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using FsCheck;
using FsCheck.Fluent;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Trainers;
using Mnist.Dsl.Layers;
using Xunit;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Mnist.Dsl.Properties.Tests;

/// <summary>
/// The generated trainer's gradients are libtorch's, as a property. For random valid stacks (<see cref="ValidStacks"/>:
/// every layer kind, kernels, strides, paddings, Functional flags, input sizes), the declaration is compiled with the
/// generator against Mnist.Dsl.Engine, its generated trainer takes one step (dropout at p = 0, SGD at lr 0) on a random
/// batch, and the same layers built as TorchSharp modules in training mode, with the trainer's initial weights, give
/// the same loss, every parameter's gradient (within <see cref="GradientTolerance"/> of the largest gradient, of a parameter or of a layer's output) and BatchNorm running statistics
/// after the step by libtorch's autograd. Every random stack must get a trainer. A failure
/// shrinks (fewer layers, smaller input) and prints the declaration. <c>MNIST_DSL_PROPERTY_TRAINERS</c> sets the
/// number of stacks (suite default 60, a few seconds).
/// </summary>
public class GeneratedTrainerGradientTests(ITestOutputHelper output)
{
    private const int Batch = 10;
    private static readonly int Count = PropertyRunSize.Read("MNIST_DSL_PROPERTY_TRAINERS", 60);

    [Fact]
    public void Generated_trainers_have_libtorchs_gradients_on_random_stacks()
    {
        int cases = 0, trained = 0;
        var clock = Stopwatch.StartNew();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            if (Check(stack)) Interlocked.Increment(ref trained);
            Interlocked.Increment(ref cases);
        });

        // Both cores: each case is independent (its own compilation, load context, trainer and tensors).
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Count).WithQuietOnSuccess(true)
            .WithParallelRunConfig(Microsoft.FSharp.Core.FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount))), property);

        output.WriteLine($"{cases} stacks, {trained} with a generated trainer ({DegenerateStacks} with a constant BatchNorm input or a ReLU input at its kink: only the loss compared; {AmplifiedStacks} with running statistics after a nearly constant BatchNorm input: not compared), in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.Equal(cases, trained);
    }

    /// <summary>Counterexamples this property found (shrunk), checked on every run: the random draw may not meet them again.</summary>
    private static readonly Dictionary<string, Layer[]> FoundStacks = new()
    {
        // A LogSoftmax over a single channel is 0 everywhere: the first BatchNorm's input is constant.
        ["constant input, two BatchNorm1d"] = [new GlobalAvgPool2d(), new Linear(1), new LogSoftmax(true), new BatchNorm1d(), new BatchNorm1d()],
        // LogSoftmax over 25 classes of a Linear on one pooled value: each class barely varies over the batch.
        ["nearly constant input, two BatchNorm1d"] = [new GlobalAvgPool2d(), new Linear(26, Bias: false), new Linear(25), new LogSoftmax(true), new BatchNorm1d(Momentum: 0), new BatchNorm1d(Eps: 0.1)],
    };

    public static TheoryData<string> Found => new(FoundStacks.Keys);

    [Theory]
    [MemberData(nameof(Found))]
    public void Stacks_the_property_found_agree_with_libtorch(string name)
    {
        var stack = ValidStacks.Declare(1, 22, 22, FoundStacks[name]) ?? throw new ArgumentException($"{name} is not a valid stack");
        Assert.True(Check(stack));
    }

    /// <summary>Checks one stack; false when it (rightly) has no trainer.</summary>
    private static bool Check(ValidStack stack)
    {
        using var compiled = CompiledNetwork.Compile(stack.Source, ValidStack.TypeName, withEngine: true);
        var factory = compiled.TrainerFactory;
        // The engine trains every layer the stacks have (pools up to 4x4: far below its 16x16 limit).
        if (factory is null) throw Disagree(stack, "the generator emitted no trainer, but the engine can train every layer of it", compiled.GeneratedSource);

        // Seeded by the declaration's text with a stable hash (string.GetHashCode differs per process): a failure replays.
        var random = new Random(stack.Source.Aggregate(17, (h, c) => unchecked(h * 31 + c)));
        var images = Enumerable.Range(0, Batch * stack.Channels * stack.Height * stack.Width).Select(_ => (float)(random.NextDouble() * 4 - 2)).ToArray();
        var labels = Enumerable.Range(0, Batch).Select(_ => random.Next(stack.Classes)).ToArray();
        using var trainer = factory(new TrainerOptions(Batch, 1, 5, new Sgd(0)) { DropoutOverride = 0 });
        var initial = trainer.Parameters.ToArray();
        float loss = trainer.Step(images, labels);

        var problems = Compare(stack, trainer, initial, images, labels, loss);
        if (problems.Count > 0) throw Disagree(stack, string.Join("\n  ", problems), compiled.GeneratedSource);
        return true;
    }

    private static List<string> Compare(ValidStack stack, ITrainer trainer, float[] initial, float[] images, int[] labels, float engineLoss)
    {
        var problems = new List<string>();
        using var scope = NewDisposeScope();
        var x = tensor(images, new long[] { Batch, stack.Channels, stack.Height, stack.Width });
        var entries = trainer.Layout.Entries;
        int next = 0;
        var parameters = new List<(string Name, Tensor Parameter)>();
        bool degenerate = false;
        var activations = new List<Tensor>();
        var batchNorms = new List<nn.Module<Tensor, Tensor>>();
        var statisticsComparable = new List<bool>();
        bool amplified = false;
        Layer? producer = null;
        foreach (var layer in stack.Layers)
        {
            if (layer is Linear && x.dim() == 4) x = x.flatten(1);
            // Dropout at p = 0 on both sides: the identity.
            if (layer is Dropout or Dropout2d) continue;
            if (layer is ReLU) degenerate |= AtTheKink(x, producer is BatchNorm2d or BatchNorm1d);
            if (layer is not (Flatten or ReLU)) producer = layer;
            if (layer.IsFunctional)
            {
                x = Functional(layer, x);
                continue;
            }
            var module = RuntimeStack.CreateModule(layer, x);
            module.train();
            foreach (var p in module.parameters())
            {
                var (name, offset, count) = entries[next++];
                if (count != p.numel()) { problems.Add($"{name} has {count} values in the trainer, libtorch's parameter {p.numel()}"); return problems; }
                using (no_grad()) p.copy_(tensor(initial.AsSpan(offset, count).ToArray(), p.shape));
                parameters.Add((name, p));
            }
            if (layer is BatchNorm2d or BatchNorm1d)
            {
                batchNorms.Add(module);
                statisticsComparable.Add(!amplified);
                degenerate |= HasConstantChannel(x);
                amplified |= HasNearlyConstantChannel(x);
            }
            x = module.forward(x);
            if (x.requires_grad) { x.retain_grad(); activations.Add(x); }
        }
        if (next != entries.Count) problems.Add($"the trainer has {entries.Count} parameter tensors, the modules {next}");
        var outputs = x.dim() == 4 ? x.flatten(1) : x;
        var target = tensor(labels.Select(l => (long)l).ToArray());
        var loss = stack.Layers[^1] is LogSoftmax ? nn.functional.nll_loss(outputs, target) : nn.functional.cross_entropy(outputs, target);
        // A network without parameters has nothing to differentiate (and libtorch refuses a backward without a graph).
        if (parameters.Count > 0) loss.backward();

        float expectedLoss = loss.item<float>();
        if (Math.Abs(engineLoss - expectedLoss) > 1e-4 * (1 + Math.Abs(expectedLoss)))
            problems.Add($"loss {engineLoss}, libtorch {expectedLoss}");
        // Two ill-conditioned cases, both found by this property, where only the loss is comparable. A BatchNorm whose input channel is the same value in every image (a
        // convolution that sees only padding outputs its bias) has zero batch variance: mathematically the gradient
        // through it is zero, but libtorch's x - mean is rounding noise times 1/sqrt(eps) (316 at eps 1e-5), the
        // engine's (sums in double) is 0 (Conv2d(9, 1, Stride = 3, Padding = 1) on a 1x1 input, then BatchNorm2d). And a
        // ReLU whose input sits at its kink up to rounding (a padding-only position normalised by BatchNorm: 0 - mean,
        // with mean ~1e-9 on one side and 0 on the other) passes the gradient on one side and not on the other.
        if (degenerate)
        {
            // The noise also reaches the running statistics of any BatchNorm after it: only the loss is comparable.
            Interlocked.Increment(ref DegenerateStacks);
            parameters.Clear();
            batchNorms.Clear();
            statisticsComparable.Clear();
        }
        var expected = parameters.Select(p => (p.Name, Values: p.Parameter.grad is { } g ? g.data<float>().ToArray() : new float[p.Parameter.numel()])).ToArray();
        // The scale of the sums behind the gradients: the largest parameter gradient, or the largest gradient of a
        // layer's output, whichever is larger. A BatchNorm over a channel of tiny variance multiplies its input gradient
        // by 1/std; a gradient that cancels to ~0 behind it (a bias before BatchNorm) keeps rounding noise of that size
        // (found by this property: GlobalAvgPool2d, Linear(54), BatchNorm1d, where fc1.bias's gradient is noise of 1e-5
        // on both sides, 6e-5 apart, next to input gradients of ~100).
        double largest = expected.SelectMany(e => e.Values).Concat(activations.Where(a => a.grad is not null).SelectMany(a => a.grad!.data<float>().ToArray()))
            .Select(v => (double)Math.Abs(v)).DefaultIfEmpty(0).Max();
        foreach (var (name, values) in expected)
        {
            var (offset, count) = trainer.Layout[name];
            var actual = trainer.Gradients.Slice(offset, count);
            for (int i = 0; i < count; i++)
                if (!(Math.Abs(actual[i] - values[i]) <= GradientTolerance * largest + 1e-6))
                {
                    problems.Add($"gradient of {name}[{i}] is {actual[i]}, libtorch {values[i]} (largest gradient {largest:G3})");
                    break;
                }
        }
        var buffers = trainer.BufferNames;
        // A BatchNorm over a channel whose spread is small next to its size turns the input's rounding (relative 6e-8)
        // into output noise of 6e-8 x rms / std; the running statistics of the BatchNorms after it average that noise
        // (found by this property: LogSoftmax over 25 classes, whose per-class spread over the batch was ~1e-3 of its
        // value, then two BatchNorm1d; the second one's running mean was 1e-5 on one side and -5e-6 on the other).
        // Their gradients stay comparable (1e-3 of the largest); their running statistics are not compared.
        if (statisticsComparable.Contains(false)) Interlocked.Increment(ref AmplifiedStacks);
        for (int k = 0; k < batchNorms.Count; k++)
        {
            if (!statisticsComparable[k]) continue;
            var named = batchNorms[k].named_buffers().Where(b => b.name is "running_mean" or "running_var").ToArray();
            foreach (var (leaf, buffer) in named)
            {
                var name = buffers.FirstOrDefault(b => b.EndsWith("." + leaf, StringComparison.Ordinal) && buffers.Where(n => n.EndsWith("." + leaf, StringComparison.Ordinal)).ToList().IndexOf(b) == k);
                if (name is null) { problems.Add($"the trainer has no {leaf} for BatchNorm {k + 1}"); continue; }
                var values = buffer.data<float>().ToArray();
                var actual = trainer.Buffer(name);
                for (int i = 0; i < values.Length; i++)
                    if (!(Math.Abs(actual[i] - values[i]) <= 1e-5 * (1 + Math.Abs(values[i]))))
                    {
                        problems.Add($"{name}[{i}] after the step is {actual[i]}, libtorch {values[i]}");
                        break;
                    }
            }
        }
        return problems;
    }

    private static int DegenerateStacks;
    private static int AmplifiedStacks;

    /// <summary>
    /// 1e-3 of the largest gradient (the sample networks are held to 1e-4 in Mnist.Dsl.Engine.Tests). Random stacks
    /// on a batch of 10 include badly conditioned ones: a biased Conv2d(8, 1) then BatchNorm2d (the bias's gradient
    /// is 0 up to rounding, and the weights' are sums that cancel behind BatchNorm's 1/std) gave one weight gradient
    /// up to 2e-4 of the largest apart from libtorch's on 1 batch in 5 (not with Bias = false); not analysed further.
    /// </summary>
    private const double GradientTolerance = 1e-3;

    /// <summary>Some ReLU input is within rounding of 0 (exact zeros count when a BatchNorm produced them: 0 - mean).</summary>
    private static bool AtTheKink(Tensor x, bool afterBatchNorm)
    {
        using var _ = no_grad();
        var magnitude = x.abs();
        var near = afterBatchNorm ? magnitude <= 1e-5 : (magnitude <= 1e-5) & (magnitude > 0);
        return near.any().item<bool>();
    }

    /// <summary>Some channel of a BatchNorm input is constant over the batch (and positions), up to float rounding.</summary>
    private static bool HasConstantChannel(Tensor x)
    {
        using var _ = no_grad();
        var channels = x.transpose(0, 1).reshape(x.shape[1], -1);
        var variance = channels.var(1, unbiased: false);
        var mean = channels.mean(new long[] { 1 });
        return (variance <= (mean * mean + 1) * 1e-10).any().item<bool>();
    }

    /// <summary>
    /// Some channel's standard deviation over the batch is below 1/30 of its root mean square: normalising it
    /// multiplies float rounding by more than 30, past what the running-statistics tolerance (1e-5) absorbs downstream.
    /// </summary>
    private static bool HasNearlyConstantChannel(Tensor x)
    {
        using var _ = no_grad();
        var channels = x.transpose(0, 1).reshape(x.shape[1], -1).to_type(ScalarType.Float64);
        var variance = channels.var(1, unbiased: false);
        var meanSquare = (channels * channels).mean(new long[] { 1 });
        return (variance * 900 < meanSquare).any().item<bool>();
    }

    private static Tensor Functional(Layer layer, Tensor x) => layer switch
    {
        ReLU => nn.functional.relu(x),
        MaxPool2d m => nn.functional.max_pool2d(x, m.KernelSize, m.EffectiveStride),
        AvgPool2d a => nn.functional.avg_pool2d(x, a.KernelSize, a.EffectiveStride),
        GlobalAvgPool2d => nn.functional.adaptive_avg_pool2d(x, 1),
        Flatten => x.flatten(1),
        LogSoftmax => nn.functional.log_softmax(x, 1),
        _ => throw new ArgumentException($"no functional form of {layer}"),
    };

    private static Exception Disagree(ValidStack stack, string problem, string generated) =>
        new Xunit.Sdk.XunitException($"the generated trainer and libtorch's autograd disagree on\n{stack.Source}\n  {problem}\ngenerated code:\n{generated}");
}
