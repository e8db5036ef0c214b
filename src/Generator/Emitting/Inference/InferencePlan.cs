using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting.Inference;

/// <summary>
/// One activation between stages of the inference forward pass, in the scratch array: channels-last (a pixel's
/// channels are adjacent), with a border of <see cref="Pad"/> zero pixels that the convolution reading it
/// needs, so its loops have no bounds tests. The border is zero from allocation and no stage ever writes it.
/// </summary>
internal sealed class Activation(int channels, int height, int width)
{
    public int Channels => channels;
    public int Height => height;
    public int Width => width;
    public int Pad { get; set; }

    /// <summary>Where it starts in the scratch array; -1 when it is the caller's image itself (read directly, never copied).</summary>
    public long Offset { get; set; }

    public bool IsImage => Offset < 0;
    public long PaddedWidth => Width + 2L * Pad;
    public long PaddedHeight => Height + 2L * Pad;
    public long Length => PaddedHeight * PaddedWidth * Channels;
}

/// <summary>An operation applied to a stage's results before they are stored.</summary>
internal abstract record EpilogueOp;

internal sealed record ReluOp : EpilogueOp;

/// <summary>Eval-mode BatchNorms in a row, composed into one per-channel scale and shift (fields s{Id}, t{Id}).</summary>
internal sealed record AffineOp(int Id, int Channels, List<(string Name, double Eps)> BatchNorms) : EpilogueOp;

/// <summary>One step of the forward pass: reads <see cref="Input"/>, writes <see cref="Output"/>, then applies its epilogue.</summary>
internal abstract class Stage
{
    protected Stage(int id, Activation? input, Activation output)
    {
        Id = id;
        Input = input;
        Output = output;
    }

    public int Id { get; }
    public Activation? Input { get; }
    public Activation Output { get; }
    public List<EpilogueOp> Epilogue { get; } = new();

    /// <summary>The declared layers this stage carries out, for the generated documentation.</summary>
    public List<string> Layers { get; } = new();
}

/// <summary>The image, copied from the caller's [C, H, W] layout into a channels-last activation.</summary>
internal sealed class InputStage(int id, Activation output) : Stage(id, null, output);

/// <summary>
/// A convolution, or a Linear layer as a 1×1 convolution over a 1×1 map. BatchNorms directly after it (before
/// any ReLU) are folded into its weights and bias.
/// </summary>
internal sealed class ConvolutionStage(int id, Activation input, Activation output, string name, bool isLinear, int kernel, int stride, int padding, bool bias)
    : Stage(id, input, output)
{
    public string Name { get; } = name;
    public bool IsLinear { get; } = isLinear;
    public int Kernel { get; } = kernel;
    public int Stride { get; } = stride;
    public int Padding { get; } = padding;
    public bool Bias { get; } = bias;
    public List<(string Name, double Eps)> FoldedBatchNorms { get; } = new();

    public int InChannels => Input!.Channels;
    public int OutChannels => Output.Channels;

    /// <summary>Channel groups (a Conv2d's Groups; 1 for Linear). A grouped stage loads its weights block-diagonally into the dense layout.</summary>
    public int Groups { get; init; } = 1;

    /// <summary>One filter per channel: runs the depthwise kernel instead of the dense one.</summary>
    public bool IsDepthwise => Groups > 1 && Groups == InChannels && Groups == OutChannels;

    /// <summary>Output channels rounded up to whole 8-wide vectors: the weights' row length.</summary>
    public int PaddedOut => (OutChannels + 7) / 8 * 8;
}

internal sealed class PoolStage(int id, Activation input, Activation output, bool isMax, int kernel, int stride) : Stage(id, input, output)
{
    public bool IsMax { get; } = isMax;
    public int Kernel { get; } = kernel;
    public int Stride { get; } = stride;
}

internal sealed class GlobalAveragePoolStage(int id, Activation input, Activation output) : Stage(id, input, output);

/// <summary>A map to a vector in PyTorch's [C, H, W] order (the activations are channels-last, so this permutes).</summary>
internal sealed class FlattenStage(int id, Activation input, Activation output) : Stage(id, input, output);

/// <summary>log_softmax over each pixel's channels, in place.</summary>
internal sealed class LogSoftmaxStage(int id, Activation activation) : Stage(id, activation, activation);

/// <summary>
/// How the inference class computes a network: the layers grouped into stages, with BatchNorm folded, ReLU and
/// post-ReLU BatchNorm fused into the pass that stores a stage's results, Dropout gone, and every activation's
/// place in one scratch array. Null from <see cref="Create"/> when the network's sizes are beyond what the
/// kernels handle (a scratch array or weight array past 2^27 floats); then no inference class is emitted. Every
/// layer kind has its lowering here: the switch throws on a kind it does not know (a generator bug the tests that
/// walk every <see cref="LayerKind"/> catch), it never skips one.
/// </summary>
internal sealed class InferencePlan
{
    private const long MaxFloats = 1L << 27;

    private InferencePlan(List<Stage> stages, List<Activation> activations, List<AffineOp> affines, Activation output, long scratchLength)
    {
        Stages = stages;
        Activations = activations;
        Affines = affines;
        Output = output;
        ScratchLength = scratchLength;
    }

    public List<Stage> Stages { get; }
    public List<Activation> Activations { get; }
    public List<AffineOp> Affines { get; }
    public Activation Output { get; }
    public long ScratchLength { get; }
    public IEnumerable<ConvolutionStage> Convolutions => Stages.OfType<ConvolutionStage>();

    public static InferencePlan? Create(NetworkSummary summary, IReadOnlyList<LayerPlan> layers)
    {
        var input = summary.Input;
        if (input.IsFlat) return null;
        var stages = new List<Stage>();
        var activations = new List<Activation>();
        var affines = new List<AffineOp>();
        Activation Add(Shape shape)
        {
            var activation = new Activation(shape.Channels, shape.Height, shape.Width);
            activations.Add(activation);
            return activation;
        }
        var current = Add(input);
        stages.Add(new InputStage(0, current));

        foreach (var layer in layers)
        {
            var report = layer.Report;
            var name = layer.MemberName;
            var last = stages[stages.Count - 1];
            var description = (name ?? "functional") + ": " + Describe(layer);
            switch (report.Layer)
            {
                case Conv2d c:
                    if (name is null || report.Input.IsFlat) return null;
                    stages.Add(new ConvolutionStage(stages.Count, current, current = Add(report.Output), name, false, c.KernelSize, c.Stride, c.Padding, c.Bias) { Groups = c.Groups });
                    break;
                case Linear l:
                    if (name is null || !(report.Input.IsFlat || report.Input.IsPointMap)) return null;
                    stages.Add(new ConvolutionStage(stages.Count, current, current = Add(Shape.Flat(report.Output.Channels)), name, true, 1, 1, 0, l.Bias));
                    break;
                case MaxPool2d m:
                    stages.Add(new PoolStage(stages.Count, current, current = Add(report.Output), true, m.KernelSize, m.EffectiveStride));
                    break;
                case AvgPool2d a:
                    stages.Add(new PoolStage(stages.Count, current, current = Add(report.Output), false, a.KernelSize, a.EffectiveStride));
                    break;
                case GlobalAvgPool2d:
                    stages.Add(new GlobalAveragePoolStage(stages.Count, current, current = Add(report.Output)));
                    break;
                case Flatten:
                    // A vector or a [C, 1, 1] map is already in [C, H, W] order: nothing to do.
                    if (report.Input.IsFlat || report.Input.IsPointMap) { last.Layers.Add(description + " (nothing to do: already a vector)"); continue; }
                    stages.Add(new FlattenStage(stages.Count, current, current = Add(report.Output)));
                    break;
                case LogSoftmax:
                    stages.Add(new LogSoftmaxStage(stages.Count, current));
                    break;
                case Dropout or Dropout2d:
                    last.Layers.Add(description + " (identity at inference)");
                    continue;
                case ReLU:
                    if (last.Epilogue.LastOrDefault() is not ReluOp) last.Epilogue.Add(new ReluOp());
                    last.Layers.Add(description + " (fused into the store)");
                    continue;
                case BatchNorm2d or BatchNorm1d:
                    if (name is null) return null;
                    var eps = report.Layer is BatchNorm2d b2 ? b2.Eps : ((BatchNorm1d)report.Layer).Eps;
                    if (last is ConvolutionStage conv && last.Epilogue.Count == 0)
                    {
                        conv.FoldedBatchNorms.Add((name, eps));
                        last.Layers.Add(description + $" (folded into {conv.Name}'s weights and bias)");
                    }
                    else if (last.Epilogue.LastOrDefault() is AffineOp affine)
                    {
                        affine.BatchNorms.Add((name, eps));
                        last.Layers.Add(description + " (composed with the BatchNorm before it)");
                    }
                    else
                    {
                        var op = new AffineOp(affines.Count, report.Input.Channels, new List<(string, double)> { (name, eps) });
                        affines.Add(op);
                        last.Epilogue.Add(op);
                        last.Layers.Add(description + " (per-channel scale and shift fused into the store)");
                    }
                    continue;
                default:
                    throw new System.NotSupportedException($"the inference plan has no lowering for layer kind {report.Layer.Kind}");
            }
            stages[stages.Count - 1].Layers.Add(description);
        }

        foreach (var conv in stages.OfType<ConvolutionStage>())
        {
            if (conv.Input!.Pad != 0 && conv.Input.Pad != conv.Padding) return null;
            conv.Input.Pad = conv.Padding;
            if ((long)conv.Kernel * conv.Kernel * conv.InChannels * conv.PaddedOut > MaxFloats) return null;
        }

        // The first stage reads the caller's image directly when its layout is already what it needs:
        // one channel (so [C, H, W] is channels-last), no border, nothing to apply, and a stage that only reads it.
        var image = activations[0];
        var readsOnly = stages.Count > 1 && stages[1] is not LogSoftmaxStage;
        long offset = 0;
        foreach (var activation in activations)
        {
            if (activation == image && readsOnly && image.Channels == 1 && image.Pad == 0 && stages[0].Epilogue.Count == 0)
            {
                activation.Offset = -1;
                continue;
            }
            if (activation.Length > MaxFloats) return null;
            activation.Offset = offset;
            offset += (activation.Length + 7) / 8 * 8;
            if (offset > MaxFloats) return null;
        }
        if (image.IsImage) stages.RemoveAt(0);
        return new InferencePlan(stages, activations, affines, current, offset);
    }

    /// <summary>A layer as the generated documentation names it: kind, channels, kernel (its kind's description), and the shape it gives.</summary>
    private static string Describe(LayerPlan layer)
    {
        var output = layer.Report.Output;
        return layer.Code.Description + " → " + (output.IsFlat ? $"[{output.Channels}]" : $"[{output.Channels}, {output.Height}, {output.Width}]");
    }
}
