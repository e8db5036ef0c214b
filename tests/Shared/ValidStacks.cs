using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Testing;

/// <summary>
/// A valid network as data (the input, the layers, the classes its last layer produces) and the C# declaration
/// of it, which is what FsCheck prints for a counterexample.
/// </summary>
public sealed record ValidStack(int Channels, int Height, int Width, IReadOnlyList<Layer> Layers, int Classes, string Source)
{
    /// <summary>The namespace-qualified name of the declared class.</summary>
    public const string TypeName = "Fuzz.Net";

    public NetworkDefinition Definition => new("Net", Channels, Height, Width, Layers, Classes, int.MaxValue, RequiredLayers.None);

    public override string ToString() => "\n" + Source + "\n";
}

/// <summary>
/// Random valid layer stacks for the property tests (FuzzTests, CompileTimeEqualsRunTimeTests): every layer kind,
/// with kernels, strides, paddings, channel counts, groups (ordinary, grouped and depthwise convolutions), Functional flags and input sizes drawn at random, each layer
/// chosen to fit the shape the ones before it give. Shrinking drops layers and shrinks the input, keeping only
/// candidates the layer algebra still accepts, so a counterexample comes out small.
/// </summary>
internal static class ValidStacks
{
    public static readonly Gen<ValidStack> Any =
        from channels in Gen.Choose(1, 3)
        from height in Gen.Choose(4, 32)
        from width in Gen.Frequency((3, Gen.Constant(height)), (1, Gen.Choose(4, 32)))
        from choices in Gen.Choose(0, 10).SelectMany(n => Gen.ArrayOf(Gen.Choose(0, 1_000_000), n))
        from seed in Gen.Choose(0, int.MaxValue)
        select Build(channels, height, width, choices, seed);

    /// <summary>
    /// One stack (on a given input, or on one drawn as <see cref="Any"/> draws it), drawn as <see cref="Any"/> draws its layers (0 to 10 choices, then the same closing
    /// head), from <paramref name="random"/>: a fixed seed draws the same stacks on every run (bench/stacks).
    /// </summary>
    public static ValidStack Draw(Random random)
    {
        int channels = random.Next(1, 4), height = random.Next(4, 33);
        return Draw(random, channels, height, random.Next(4) == 0 ? random.Next(4, 33) : height);
    }

    /// <inheritdoc cref="Draw(System.Random)"/>
    public static ValidStack Draw(Random random, int channels, int height, int width)
    {
        var choices = new int[random.Next(0, 11)];
        for (int i = 0; i < choices.Length; i++) choices[i] = random.Next(0, 1_000_001);
        return Build(channels, height, width, choices, random.Next(0, int.MaxValue));
    }

    public static Arbitrary<ValidStack> Arbitrary { get; } = Arb.From(Any, Shrink);

    /// <summary>
    /// Random choices read against the running shape, so every layer fits its input: convolutions and pools
    /// no larger than the (padded) map, BatchNorm1d and Linear only on vectors (Linear also on a 1×1 map), and
    /// a map at the end closed with global pooling or Flatten, with classes set to what comes out.
    /// </summary>
    private static ValidStack Build(int channels, int height, int width, int[] choices, int seed)
    {
        var random = new Random(seed);
        var layers = new List<Layer>();
        var shape = Shape.Map(channels, height, width);
        bool Coin() => random.Next(2) == 0;
        double Probability() => new[] { 0.0, 0.1, 0.25, 0.5, 0.9 }[random.Next(5)];
        // LeakyReLU with PyTorch's default slope, a common larger one, 0 (ReLU), a negative one or one past 1 (the slope is
        // any finite number), or Tanh as the sixth choice: one draw either way, so stacks drawn before Tanh keep their shape.
        Layer Elementwise()
        {
            var pick = random.Next(6);
            return pick < 5 ? new LeakyReLU(new[] { LeakyReLU.DefaultNegativeSlope, 0.2, 0, -0.5, 1.5 }[pick], Coin()) : new Tanh(Coin());
        }
        void Add(Layer layer)
        {
            layers.Add(layer);
            shape = NetworkAnalysis.Analyze(new NetworkDefinition("Net", channels, height, width, layers, requires: RequiredLayers.None)).Summary!.Output;
        }
        foreach (var choice in choices)
        {
            if (!shape.IsFlat)
            {
                var side = Math.Min(shape.Height, shape.Width);
                switch (choice % 13)
                {
                    case 0 or 1 or 2:
                        Add(RandomConv(random, side, shape.Channels, grouped: true));
                        break;
                    case 12:
                        // The block users write (and the engine fuses, ungrouped): a convolution, then ReLU and BatchNorm2d in
                        // either order, then maybe a dropout. Drawn as one choice so every run meets it, not only 1 stack in 100.
                        Add(RandomConv(random, side, shape.Channels, grouped: false));
                        var norm = new BatchNorm2d(new[] { 0, 0.1, 0.5, 1 }[random.Next(4)], new[] { 1e-5, 1e-3, 0.1 }[random.Next(3)]);
                        if (Coin()) { Add(new ReLU(Coin())); Add(norm); }
                        else { Add(norm); Add(new ReLU(Coin())); }
                        switch (random.Next(3))
                        {
                            case 0: Add(new Dropout(Probability(), Coin())); break;
                            case 1: Add(new Dropout2d(Probability(), Coin())); break;
                        }
                        break;
                    case 3: Add(new BatchNorm2d(new[] { 0, 0.1, 0.5, 1 }[random.Next(4)], new[] { 1e-5, 1e-3, 0.1 }[random.Next(3)])); break;
                    case 4: Add(new ReLU(Coin())); break;
                    case 5: Add(new Dropout(Probability(), Coin())); break;
                    case 6: Add(new Dropout2d(Probability(), Coin())); break;
                    case 7: Add(new MaxPool2d(random.Next(1, Math.Min(4, side) + 1), random.Next(0, 4), Coin())); break;
                    case 8: Add(new AvgPool2d(random.Next(1, Math.Min(4, side) + 1), random.Next(0, 4), Coin())); break;
                    case 9: Add(Coin() ? new GlobalAvgPool2d(Coin()) : new Flatten(Coin())); break;
                    case 11: Add(Elementwise()); break;
                    default:
                        if (shape.IsPointMap) Add(new Linear(random.Next(1, 65), Coin(), Coin() ? 0 : shape.Channels));
                        else Add(new LogSoftmax(Coin()));
                        break;
                }
            }
            else
            {
                switch (choice % 7)
                {
                    case 0 or 1: Add(new Linear(random.Next(1, 65), Coin(), Coin() ? 0 : shape.Channels)); break;
                    case 2: Add(new BatchNorm1d(new[] { 0, 0.1, 1 }[random.Next(3)], new[] { 1e-5, 0.1 }[random.Next(2)])); break;
                    case 3: Add(new ReLU(Coin())); break;
                    case 4: Add(new Dropout(Probability(), Coin())); break;
                    case 5: Add(Elementwise()); break;
                    default: Add(Coin() ? new LogSoftmax(Coin()) : new Flatten(Coin())); break;
                }
            }
        }
        if (!shape.IsFlat && !shape.IsPointMap) Add(Coin() ? new GlobalAvgPool2d(Coin()) : new Flatten(Coin()));
        if (Coin()) Add(new Linear(random.Next(2, 13)));
        if (layers.Count == 0 || Coin()) Add(new LogSoftmax(Coin()));

        var listSizes = new List<int>();
        for (var placed = 0; placed < layers.Count; placed += listSizes[^1]) listSizes.Add(random.Next(1, 5));
        return Declare(channels, height, width, layers, listSizes)
            ?? throw new InvalidOperationException("the stack builder made an invalid stack:\n" + string.Join("\n", layers));
    }

    /// <summary>
    /// A convolution that fits a map of the given smaller side: kernel up to 7 within the padded map, stride 1-3, padding
    /// 0-2, bias or not; when <paramref name="grouped"/>, its channels and groups drawn by <see cref="ChannelsAndGroups"/>.
    /// </summary>
    private static Conv2d RandomConv(Random random, int side, int channels, bool grouped)
    {
        var padding = random.Next(3);
        var (outChannels, groups) = grouped ? ChannelsAndGroups(random, channels) : (random.Next(1, 17), 1);
        return new Conv2d(outChannels, random.Next(1, Math.Min(7, side + 2 * padding) + 1), random.Next(1, 4), padding, random.Next(2) == 0,
            random.Next(2) == 0 ? 0 : channels, groups);
    }

    /// <summary>
    /// A convolution's output channels and groups for <paramref name="inChannels"/>: half the time an ordinary one
    /// (1 to 16 outputs), else depthwise (groups = in = out) or grouped (groups a divisor of the input channels, outputs
    /// a multiple of it), so that the engine's depthwise and per-group kernels are both drawn.
    /// </summary>
    private static (int OutChannels, int Groups) ChannelsAndGroups(Random random, int inChannels)
    {
        switch (random.Next(4))
        {
            case 0: return (inChannels, inChannels);
            case 1:
                var divisors = Enumerable.Range(1, inChannels).Where(d => inChannels % d == 0).ToArray();
                var groups = divisors[random.Next(divisors.Length)];
                return (groups * random.Next(1, Math.Max(1, 16 / groups) + 1), groups);
            default: return (random.Next(1, 17), 1);
        }
    }

    /// <summary>
    /// The stack declared as a class whose layers sit in attribute lists of the given sizes, or null when it is
    /// not a valid network (no layers, a map at the end, a layer that no longer fits: what a shrink step can produce).
    /// </summary>
    public static ValidStack? Declare(int channels, int height, int width, IReadOnlyList<Layer> layers, IReadOnlyList<int>? listSizes = null)
    {
        // A network with no layers is an error of its own (MNIST0015), which the layer algebra does not check.
        if (layers.Count == 0) return null;
        var report = NetworkAnalysis.Analyze(new NetworkDefinition("Net", channels, height, width, layers, requires: RequiredLayers.None));
        if (report.Summary is not { } summary || !(summary.Output.IsFlat || summary.Output.IsPointMap)) return null;
        var stack = new ValidStack(channels, height, width, layers.ToArray(), summary.Output.Channels, "");
        // Only the receptive-field warning may remain; any error means the candidate is not a valid stack.
        if (!NetworkAnalysis.Analyze(stack.Definition).IsValid) return null;

        var lists = new List<string>();
        var sizes = listSizes ?? Enumerable.Repeat(4, (layers.Count + 3) / 4).ToArray();
        for (int i = 0, list = 0; i < layers.Count; i += sizes[list++])
            lists.Add("[" + string.Join(", ", layers.Skip(i).Take(sizes[list]).Select(Attribute)) + "]");
        var source = $"""
            using Mnist.Dsl;

            namespace Fuzz;

            [Network({channels}, {height}, {width}, Classes = {stack.Classes}, ParameterBudget = int.MaxValue, Requires = RequiredLayers.None)]
            {string.Join("\n", lists)}
            public partial class Net;
            """;
        return stack with { Source = source };
    }

    /// <summary>Smaller stacks that are still valid: one layer fewer, an explicit in-size dropped, a smaller input.</summary>
    public static IEnumerable<ValidStack> Shrink(ValidStack stack)
    {
        var layers = stack.Layers;
        for (var i = 0; i < layers.Count; i++)
            if (Declare(stack.Channels, stack.Height, stack.Width, layers.Where((_, j) => j != i).ToArray()) is { } fewer) yield return fewer;
        for (var i = 0; i < layers.Count; i++)
        {
            Layer?[] plainer =
            [
                layers[i] switch
                {
                    Conv2d { InChannels: not 0 } c => c with { InChannels = 0 },
                    Linear { InFeatures: not 0 } l => l with { InFeatures = 0 },
                    _ => null,
                },
                layers[i] is Conv2d { Groups: not 1 } grouped ? grouped with { Groups = 1 } : null,
            ];
            foreach (var layer in plainer)
                if (layer is not null && Declare(stack.Channels, stack.Height, stack.Width, layers.Select((l, j) => j == i ? layer : l).ToArray()) is { } simpler)
                    yield return simpler;
        }
        foreach (var (channels, height, width) in new[] { (1, stack.Height, stack.Width), (stack.Channels, stack.Height - 1, stack.Width - 1), (stack.Channels, stack.Height, stack.Height) })
        {
            if ((channels, height, width) == (stack.Channels, stack.Height, stack.Width) || height < 1 || width < 1) continue;
            // A declared in-size pins the old input's channels: drop them so a one-channel input can still be tried.
            var unpinned = layers.Select(l => l switch { Conv2d c => c with { InChannels = 0 }, Linear f => f with { InFeatures = 0 }, _ => l }).ToArray();
            if (Declare(channels, height, width, unpinned) is { } smaller) yield return smaller;
        }
    }

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The layer as the attribute a user would write, leaving out arguments at their defaults.</summary>
    public static string Attribute(Layer layer)
    {
        static string Args(params string?[] arguments)
        {
            var present = arguments.Where(a => a is not null).ToArray();
            return present.Length == 0 ? "" : "(" + string.Join(", ", present) + ")";
        }
        static string? If(bool condition, string text) => condition ? text : null;
        return layer switch
        {
            Conv2d c => "Conv2d" + Args($"{c.OutChannels}", $"{c.KernelSize}", If(c.Stride != 1, $"Stride = {c.Stride}"), If(c.Padding != 0, $"Padding = {c.Padding}"),
                If(!c.Bias, "Bias = false"), If(c.InChannels != 0, $"InChannels = {c.InChannels}"), If(c.Groups != 1, $"Groups = {c.Groups}")),
            BatchNorm2d b => "BatchNorm2d" + Args(If(b.Momentum != 0.1, $"Momentum = {Number(b.Momentum)}"), If(b.Eps != 1e-5, $"Eps = {Number(b.Eps)}")),
            BatchNorm1d b => "BatchNorm1d" + Args(If(b.Momentum != 0.1, $"Momentum = {Number(b.Momentum)}"), If(b.Eps != 1e-5, $"Eps = {Number(b.Eps)}")),
            ReLU r => "ReLU" + Args(If(r.Functional, "Functional = true")),
            LeakyReLU r => "LeakyReLU" + Args(If(r.NegativeSlope != LeakyReLU.DefaultNegativeSlope, Number(r.NegativeSlope)), If(r.Functional, "Functional = true")),
            Dropout d => "Dropout" + Args(Number(d.P), If(d.Functional, "Functional = true")),
            Dropout2d d => "Dropout2d" + Args(Number(d.P), If(d.Functional, "Functional = true")),
            MaxPool2d m => "MaxPool2d" + Args($"{m.KernelSize}", If(m.Stride != 0, $"Stride = {m.Stride}"), If(m.Functional, "Functional = true")),
            AvgPool2d a => "AvgPool2d" + Args($"{a.KernelSize}", If(a.Stride != 0, $"Stride = {a.Stride}"), If(a.Functional, "Functional = true")),
            GlobalAvgPool2d g => "GlobalAvgPool2d" + Args(If(g.Functional, "Functional = true")),
            Flatten f => "Flatten" + Args(If(f.Functional, "Functional = true")),
            Linear l => "Linear" + Args($"{l.OutFeatures}", If(!l.Bias, "Bias = false"), If(l.InFeatures != 0, $"InFeatures = {l.InFeatures}")),
            LogSoftmax s => "LogSoftmax" + Args(If(s.Functional, "Functional = true")),
            Tanh t => "Tanh" + Args(If(t.Functional, "Functional = true")),
            _ => throw new ArgumentException(layer.ToString()),
        };
    }
}
