using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Model.Inference;

/// <summary>
/// Each layer form's inference lowering: the stages a network's layers become, before borders and places are known
/// (<see cref="InferencePlan"/> settles those and freezes the result). The switch covers every <see cref="LayerForm"/>
/// (the tests walk every kind through it); an elementwise kind is one in-place stage running the kernel its record names,
/// so a new such kind adds nothing here.
/// </summary>
internal static class InferenceLowering
{
    public static Draft? Lower(NetworkSummary summary, IReadOnlyList<LayerPlan> layers)
    {
        var draft = new Draft();
        var current = draft.Add(summary.Input);
        draft.Stages.Add(new DraftStage(0, null, current, (id, input, output, epilogue, notes) => new InputStage(id, output, epilogue, notes)));

        foreach (var layer in layers)
        {
            var report = layer.Report;
            var name = layer.MemberName;
            var last = draft.Stages[draft.Stages.Count - 1];
            var description = (name ?? "functional") + ": " + Describe(report);
            DraftStage? stage = null;
            DraftActivation Next(Shape shape) => current = draft.Add(shape);
            switch (report.Layer.Form)
            {
                case LayerForm.Convolution:
                    {
                        var c = (Conv2d)report.Layer;
                        if (name is null || report.Input.IsFlat) return null;
                        stage = DraftStage.OfConvolution(draft.Stages.Count, current, Next(report.Output),
                            new DraftConvolution(name, false, c.KernelSize, c.Stride, c.Padding, c.Bias, c.Groups));
                        break;
                    }
                case LayerForm.Linear:
                    if (name is null || !(report.Input.IsFlat || report.Input.IsPointMap)) return null;
                    stage = DraftStage.OfConvolution(draft.Stages.Count, current, Next(Shape.Flat(report.Output.Channels)),
                        new DraftConvolution(name, true, 1, 1, 0, ((Linear)report.Layer).Bias));
                    break;
                case LayerForm.Pool:
                    {
                        var pool = (Pool2dLayer)report.Layer;
                        var isMax = report.Layer.Kind == LayerKind.MaxPool2d;
                        stage = new DraftStage(draft.Stages.Count, current, Next(report.Output),
                            (id, input, output, epilogue, notes) =>
                                new PoolStage(id, input, output, epilogue, notes, isMax, pool.KernelSize, pool.EffectiveStride));
                        break;
                    }
                case LayerForm.GlobalAvgPool:
                    stage = new DraftStage(draft.Stages.Count, current, Next(report.Output),
                        (id, input, output, epilogue, notes) => new GlobalAveragePoolStage(id, input, output, epilogue, notes));
                    break;
                case LayerForm.Flatten:
                    // A vector or a [C, 1, 1] map is already in [C, H, W] order: nothing to do.
                    if (report.Input.IsFlat || report.Input.IsPointMap)
                    {
                        last.Layers.Add(description + " (nothing to do: already a vector)");
                        continue;
                    }
                    stage = new DraftStage(draft.Stages.Count, current, Next(report.Output),
                        (id, input, output, epilogue, notes) => new FlattenStage(id, input, output, epilogue, notes));
                    break;
                case LayerForm.LogSoftmax:
                    stage = new DraftStage(draft.Stages.Count, current, current,
                        (id, _, output, epilogue, notes) => new LogSoftmaxStage(id, output, epilogue, notes)) { InPlace = true };
                    break;
                case LayerForm.Elementwise:
                    {
                        var kernel = ((ElementwiseLayer)report.Layer).InferenceKernel;
                        stage = new DraftStage(draft.Stages.Count, current, current,
                            (id, _, output, epilogue, notes) => new ElementwiseStage(id, output, epilogue, notes, kernel)) { InPlace = true };
                        break;
                    }
                case LayerForm.Identity:
                    last.Layers.Add(description + " (identity at inference)");
                    continue;
                case LayerForm.ReLU:
                    if (last.Epilogue.LastOrDefault() is not ReluOp) last.Epilogue.Add(new ReluOp());
                    last.Layers.Add(description + " (fused into the store)");
                    continue;
                case LayerForm.BatchNorm:
                    if (name is null) return null;
                    var batchNorm = new BatchNormUse(name, ((BatchNormLayer)report.Layer).Eps);
                    if (last.Convolution is { } conv && last.Epilogue.Count == 0)
                    {
                        conv.FoldedBatchNorms.Add(batchNorm);
                        last.Layers.Add(description + $" (folded into {conv.Name}'s weights and bias)");
                    }
                    else if (last.Epilogue.LastOrDefault() is DraftAffine affine)
                    {
                        affine.BatchNorms.Add(batchNorm);
                        last.Layers.Add(description + " (composed with the BatchNorm before it)");
                    }
                    else
                    {
                        last.Epilogue.Add(new DraftAffine(draft.Affines++, report.Input.Channels, batchNorm));
                        last.Layers.Add(description + " (per-channel scale and shift fused into the store)");
                    }
                    continue;
            }
            stage!.Layers.Add(description);
            draft.Stages.Add(stage);
        }
        draft.Output = current;
        return draft;
    }

    /// <summary>A layer as the generated documentation names it: its kind's description, and the shape it gives.</summary>
    private static string Describe(LayerReport report)
    {
        var output = report.Output;
        return report.Layer.Describe(report.Input) + " → "
            + (output.IsFlat ? $"[{output.Channels}]" : $"[{output.Channels}, {output.Height}, {output.Width}]");
    }
}

/// <summary>The stages and activations while they are lowered: borders and places not yet known.</summary>
internal sealed class Draft
{
    public List<DraftStage> Stages { get; } = new();
    public List<DraftActivation> Activations { get; } = new();
    public DraftActivation Output { get; set; } = null!;
    public int Affines { get; set; }

    public DraftActivation Add(Shape shape)
    {
        var activation = new DraftActivation(shape);
        Activations.Add(activation);
        return activation;
    }
}

/// <summary>An activation whose border grows to what the convolution reading it needs; compared by reference.</summary>
internal sealed class DraftActivation(Shape shape)
{
    public Shape Shape => shape;
    public int Pad { get; set; }

    public Activation Place(long offset) => new(shape.Channels, shape.Height, shape.Width, Pad, offset);
}

internal sealed class DraftConvolution(string name, bool isLinear, int kernel, int stride, int padding, bool bias, int groups = 1)
{
    public string Name => name;
    public int Kernel => kernel;
    public int Padding => padding;
    public List<BatchNormUse> FoldedBatchNorms { get; } = new();

    public ConvolutionStage Freeze(int id, Activation? input, Activation output, EquatableArray<EpilogueOp> epilogue, EquatableArray<string> notes) =>
        new(id, input, output, epilogue, notes, name, isLinear, kernel, stride, padding, bias, new EquatableArray<BatchNormUse>(FoldedBatchNorms),
            groups);
}

/// <summary>BatchNorms composed while lowering; <see cref="Freeze"/> gives the <see cref="AffineOp"/>.</summary>
internal sealed record DraftAffine : EpilogueOp
{
    public DraftAffine(int id, int channels, BatchNormUse first)
    {
        Id = id;
        Channels = channels;
        BatchNorms.Add(first);
    }

    public int Id { get; }
    public int Channels { get; }
    public List<BatchNormUse> BatchNorms { get; } = new();

    public AffineOp Freeze() => new(Id, Channels, new EquatableArray<BatchNormUse>(BatchNorms));
}

/// <summary>A stage while lowering: its epilogue and notes still growing; <see cref="Freeze"/> makes the immutable <see cref="Stage"/>.</summary>
internal sealed class DraftStage(int id, DraftActivation? input, DraftActivation output,
    Func<int, Activation?, Activation, EquatableArray<EpilogueOp>, EquatableArray<string>, Stage> freeze)
{
    public DraftActivation? Input => input;
    public DraftActivation Output => output;
    public DraftConvolution? Convolution { get; private init; }

    /// <summary>Reads and writes one activation (the first stage cannot then read the caller's image directly).</summary>
    public bool InPlace { get; init; }

    public List<EpilogueOp> Epilogue { get; } = new();
    public List<string> Layers { get; } = new();

    public static DraftStage OfConvolution(int id, DraftActivation input, DraftActivation output, DraftConvolution convolution) =>
        new(id, input, output, convolution.Freeze) { Convolution = convolution };

    public Stage Freeze(IReadOnlyDictionary<DraftActivation, Activation> placed) => freeze(id, input is null ? null : placed[input], placed[output],
        new EquatableArray<EpilogueOp>(Epilogue.Select(op => op is DraftAffine a ? a.Freeze() : op)), new EquatableArray<string>(Layers));
}
