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
using TorchSharp;
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
        var fused = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var convolutions = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var property = Prop.ForAll(ValidStacks.Arbitrary, stack =>
        {
            if (Check(stack)) Interlocked.Increment(ref trained);
            Interlocked.Increment(ref cases);
            var steps = Mnist.Dsl.Lowering.EngineLowering.Of(stack.Definition).Steps;
            foreach (var form in steps.SelectMany(FusedUnitReachTests.Forms)) fused.AddOrUpdate(form, 1, (_, n) => n + 1);
            foreach (var form in steps.SelectMany(ConvolutionPathReachTests.Forms)) convolutions.AddOrUpdate(form, 1, (_, n) => n + 1);
        });

        // Both cores: each case is independent (its own compilation, load context, trainer and tensors).
        FsCheck.Check.One(Config.QuickThrowOnFailure.WithMaxTest(Count).WithQuietOnSuccess(true)
            .WithParallelRunConfig(Microsoft.FSharp.Core.FSharpOption<ParallelRunConfig>.Some(new ParallelRunConfig(Environment.ProcessorCount))), property);

        output.WriteLine($"{cases} stacks, {trained} with a generated trainer ({DegenerateStacks} with a constant BatchNorm input or a ReLU input at its kink: only the loss compared), in {clock.Elapsed.TotalSeconds:F1} s");
        // Shrinking counts too (a failure's smaller candidates): what the run checked, not only its first draws.
        output.WriteLine("fused units checked, by form: " + string.Join(", ", fused.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")));
        output.WriteLine("convolutions checked, by path: " +
            string.Join(", ", convolutions.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key} {f.Value}")));
        Assert.Equal(cases, trained);
    }

    /// <summary>Counterexamples this property found (shrunk), checked on every run: the random draw may not meet them again.</summary>
    private static readonly Dictionary<string, ValidStack> FoundStacks = new()
    {
        // A LogSoftmax over a single channel is 0 everywhere: the first BatchNorm's input is constant.
        ["constant input, two BatchNorm1d"] = Declared(1, 22, 22, new GlobalAvgPool2d(), new Linear(1), new LogSoftmax(true), new BatchNorm1d(), new BatchNorm1d()),
        // LogSoftmax over 25 classes of a Linear on one pooled value: each class barely varies over the batch.
        ["nearly constant input, two BatchNorm1d"] = Declared(1, 22, 22, new GlobalAvgPool2d(), new Linear(26, Bias: false), new Linear(25), new LogSoftmax(true),
            new BatchNorm1d(Momentum: 0), new BatchNorm1d(Eps: 0.1)),
        // LogSoftmax over 6 channels per pixel, pooled, then two BatchNorm2d (the second with momentum 0.5).
        ["LogSoftmax map, two BatchNorm2d"] = Declared(1, 10, 10, new AvgPool2d(4, Stride: 3, Functional: true), new Conv2d(6, 2, Padding: 1, Bias: false), new LogSoftmax(),
            new AvgPool2d(4, Stride: 2), new BatchNorm2d(), new BatchNorm2d(Momentum: 0.5, Eps: 0.001)),
        // A 1x1 convolution with padding 2 (its border is its bias) on one channel, then BatchNorm2d.
        ["padded 1x1 convolution, BatchNorm2d"] = Declared(3, 21, 21, new Conv2d(1, 6, Padding: 1, Bias: false), new Conv2d(11, 1, Padding: 2), new BatchNorm2d(), new GlobalAvgPool2d(true)),
        // Padding-only positions (the bias) through two LogSoftmax, then two BatchNorm1d: the loss itself is ill-conditioned
        // (the engine 5.11917, libtorch 5.12489, float64 5.11965).
        ["padding through LogSoftmax, two BatchNorm1d"] = Declared(1, 1, 8, new Conv2d(3, 1, Padding: 2), new LogSoftmax(true), new Flatten(), new LogSoftmax(),
            new BatchNorm1d(), new BatchNorm1d(Momentum: 0)),
    };

    public static TheoryData<string> FoundNames => new(FoundStacks.Keys);

    [Theory]
    [MemberData(nameof(FoundNames))]
    public void Stacks_the_property_found_agree_with_libtorch(string name)
    {
        Assert.True(Check(FoundStacks[name]));
    }

    /// <summary>
    /// Grouped convolutions the random draw meets only sometimes, checked on every run: depthwise (the engine's own
    /// kernels; wide with and without padding, strided), grouped (the wide kernels per group; strided), a channel
    /// multiplier (groups = in, out = 2 in), with and without bias, on batches whose weight gradients sum several images at once.
    /// </summary>
    private static readonly Dictionary<string, ValidStack> GroupedStacks = new()
    {
        ["depthwise-separable block"] = Declared(1, 12, 12, new Conv2d(8, 3, Bias: false), new ReLU(), new BatchNorm2d(),
            new Conv2d(8, 3, Padding: 1, Bias: false, Groups: 8), new Conv2d(12, 1, Bias: false), new ReLU(), new BatchNorm2d(), new GlobalAvgPool2d(), new Linear(10)),
        ["depthwise with bias, then strided depthwise"] = Declared(2, 11, 11, new Conv2d(6, 3), new Conv2d(6, 3, Groups: 6), new ReLU(),
            new Conv2d(6, 3, Stride: 2, Padding: 1, Groups: 6), new Flatten(), new Linear(4)),
        ["groups 2, wide and strided"] = Declared(1, 10, 10, new Conv2d(4, 3), new Conv2d(6, 3, Padding: 1, Groups: 2), new ReLU(),
            new Conv2d(4, 3, Stride: 2, Bias: false, Groups: 2), new GlobalAvgPool2d(), new Linear(3), new LogSoftmax()),
        ["channel multiplier"] = Declared(3, 9, 9, new Conv2d(6, 3, Groups: 3), new BatchNorm2d(), new Conv2d(6, 1, Bias: false, Groups: 2), new GlobalAvgPool2d(), new Linear(5)),
    };

    public static TheoryData<string> GroupedNames => new(GroupedStacks.Keys);

    [Theory]
    [MemberData(nameof(GroupedNames))]
    public void Grouped_and_depthwise_convolutions_agree_with_libtorch(string name)
    {
        Assert.True(Check(GroupedStacks[name]));
    }

    private static ValidStack Declared(int channels, int height, int width, params Layer[] layers) =>
        ValidStacks.Declare(channels, height, width, layers) ?? throw new ArgumentException($"{string.Join(", ", layers)} is not a valid stack");

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
        var parameters = new List<(string Name, Tensor Parameter, Tensor Exact)>();
        bool degenerate = false;
        var activations = new List<Tensor>();
        var batchNorms = new List<(nn.Module<Tensor, Tensor> Single, nn.Module<Tensor, Tensor> Double)>();
        // The same network in float64 beside it: how far libtorch's own float32 results are from exact arithmetic.
        var x64 = x.to_type(ScalarType.Float64);
        Layer? producer = null;
        foreach (var layer in stack.Layers)
        {
            if (layer is Linear && x.dim() == 4) { x = x.flatten(1); x64 = x64.flatten(1); }
            // Dropout at p = 0 on both sides: the identity.
            if (layer is Dropout or Dropout2d) continue;
            if (layer is ReLU or LeakyReLU) degenerate |= AtTheKink(x, producer is BatchNorm2d or BatchNorm1d);
            if (layer is not (Flatten or ReLU or LeakyReLU)) producer = layer;
            if (layer.IsFunctional)
            {
                x = Functional(layer, x);
                x64 = Functional(layer, x64);
                continue;
            }
            var module = RuntimeStack.CreateModule(layer, x);
            module.train();
            var module64 = RuntimeStack.CreateModule(layer, x64);
            module64.to(ScalarType.Float64);
            module64.train();
            foreach (var (p, p64) in module.parameters().Zip(module64.parameters()))
            {
                var (name, offset, count) = entries[next++];
                if (count != p.numel()) { problems.Add($"{name} has {count} values in the trainer, libtorch's parameter {p.numel()}"); return problems; }
                using (no_grad())
                {
                    p.copy_(tensor(initial.AsSpan(offset, count).ToArray(), p.shape));
                    p64.copy_(p);
                }
                parameters.Add((name, p, p64));
            }
            x64 = module64.forward(x64);
            if (layer is BatchNorm2d or BatchNorm1d)
            {
                batchNorms.Add((module, module64));
                degenerate |= HasConstantChannel(x);
            }
            x = module.forward(x);
            if (x.requires_grad) { x.retain_grad(); activations.Add(x); }
        }
        if (next != entries.Count) problems.Add($"the trainer has {entries.Count} parameter tensors, the modules {next}");
        var outputs = x.dim() == 4 ? x.flatten(1) : x;
        var target = tensor(labels.Select(l => (long)l).ToArray());
        var loss = stack.Layers[^1] is LogSoftmax ? nn.functional.nll_loss(outputs, target) : nn.functional.cross_entropy(outputs, target);
        // A network without parameters has nothing to differentiate (and libtorch refuses a backward without a graph).
        var outputs64 = x64.dim() == 4 ? x64.flatten(1) : x64;
        var loss64 = stack.Layers[^1] is LogSoftmax ? nn.functional.nll_loss(outputs64, target) : nn.functional.cross_entropy(outputs64, target);
        if (parameters.Count > 0)
        {
            loss.backward();
            loss64.backward();
        }

        float expectedLoss = loss.item<float>();
        double exactLoss = loss64.item<double>();
        if (!Agrees(engineLoss, expectedLoss, exactLoss, 1e-4 * (1 + Math.Abs(expectedLoss))))
            problems.Add($"loss {engineLoss}, libtorch {expectedLoss}, in float64 {exactLoss:G8}");
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
        }
        var expected = parameters.Select(p => (p.Name,
            Values: p.Parameter.grad is { } g ? g.data<float>().ToArray() : new float[p.Parameter.numel()],
            Exact: p.Exact.grad is { } g64 ? g64.data<double>().ToArray() : new double[p.Exact.numel()])).ToArray();
        // The scale of the sums behind the gradients: the largest parameter gradient, or the largest gradient of a
        // layer's output, whichever is larger. A BatchNorm over a channel of tiny variance multiplies its input gradient
        // by 1/std; a gradient that cancels to ~0 behind it (a bias before BatchNorm) keeps rounding noise of that size
        // (found by this property: GlobalAvgPool2d, Linear(54), BatchNorm1d, where fc1.bias's gradient is noise of 1e-5
        // on both sides, 6e-5 apart, next to input gradients of ~100).
        double largest = expected.SelectMany(e => e.Values).Concat(activations.Where(a => a.grad is not null).SelectMany(a => a.grad!.data<float>().ToArray()))
            .Select(v => (double)Math.Abs(v)).DefaultIfEmpty(0).Max();
        foreach (var (name, values, exact) in expected)
        {
            var (offset, count) = trainer.Layout[name];
            var actual = trainer.Gradients.Slice(offset, count);
            for (int i = 0; i < count; i++)
                if (!Agrees(actual[i], values[i], exact[i], GradientTolerance * largest + 1e-6))
                {
                    problems.Add($"gradient of {name}[{i}] is {actual[i]}, libtorch {values[i]}, in float64 {exact[i]:G8} (largest gradient {largest:G3})");
                    break;
                }
        }
        // Running statistics are compared within 1e-5, plus libtorch's own error (Agrees). That error is what an
        // ill-conditioned input makes of rounding: a BatchNorm over a channel whose spread is small next to its size
        // (LogSoftmax over many classes, found by this property) turns relative rounding of 6e-8 into noise of
        // 6e-8 x rms / std in its output, and the BatchNorms after it average that noise into their running means
        // (LogSoftmax over 25 classes, then two BatchNorm1d: 1e-5 in libtorch, -5e-6 here).
        var buffers = trainer.BufferNames;
        for (int k = 0; k < batchNorms.Count; k++)
        {
            var exact = batchNorms[k].Double.named_buffers().Where(b => b.name is "running_mean" or "running_var").ToDictionary(b => b.name, b => b.buffer.data<double>().ToArray());
            foreach (var (leaf, buffer) in batchNorms[k].Single.named_buffers().Where(b => b.name is "running_mean" or "running_var"))
            {
                var name = buffers.Where(b => b.EndsWith("." + leaf, StringComparison.Ordinal)).ElementAtOrDefault(k);
                if (name is null) { problems.Add($"the trainer has no {leaf} for BatchNorm {k + 1}"); continue; }
                var values = buffer.data<float>().ToArray();
                var actual = trainer.Buffer(name);
                for (int i = 0; i < values.Length; i++)
                    if (!Agrees(actual[i], values[i], exact[leaf][i], 1e-5 * (1 + Math.Abs(values[i]))))
                    {
                        problems.Add($"{name}[{i}] after the step is {actual[i]}, libtorch {values[i]} (in float64 {exact[leaf][i]:G8})");
                        break;
                    }
            }
        }
        return problems;
    }

    private static int DegenerateStacks;

    /// <summary>
    /// The engine's value is within <paramref name="bound"/> of libtorch's, plus 10 times libtorch's own float32 error
    /// (its distance from the same layers run in float64): where the problem is ill-conditioned, libtorch cannot be
    /// held as exact.
    /// </summary>
    private static bool Agrees(double engine, double libtorch, double exact, double bound) =>
        Math.Abs(engine - libtorch) <= bound + 10 * Math.Abs(libtorch - exact);

    /// <summary>
    /// 1e-3 of the largest gradient (the sample networks are held to 1e-4 in Mnist.Dsl.Engine.Tests), plus 10 times
    /// libtorch's own float32 error where that is larger. Random stacks include badly conditioned ones the sample
    /// networks do not have: a BatchNorm over a channel whose spread is small next to its mean (LogSoftmax, then global
    /// pooling, then BatchNorm2d) multiplies the engine's rounding in x̂ = x - mean, which its input gradient forms as
    /// b x + e, by mean / std: 3e-4 of the largest gradient apart from float64 where libtorch (x - mean first) was 1e-5.
    /// A biased Conv2d then BatchNorm2d was 8% off before the engine summed its statistics about a value near the mean.
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

    private static Tensor Functional(Layer layer, Tensor x) => layer switch
    {
        ReLU => nn.functional.relu(x),
        LeakyReLU l => nn.functional.leaky_relu(x, l.NegativeSlope),
        Tanh => nn.functional.tanh(x),
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
