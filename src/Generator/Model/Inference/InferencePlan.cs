using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Generator.Model.Inference;

/// <summary>
/// How the inference class computes a network: the layers grouped into stages, with BatchNorm folded, ReLU and
/// post-ReLU BatchNorm fused into the pass that stores a stage's results, Dropout gone, and every activation's
/// place in one scratch array. Null from <see cref="Create"/> when the network's sizes are beyond what the
/// kernels handle (a scratch array or weight array past 2^27 floats); then no inference class is emitted. Immutable
/// and equal by value; the emitter renders it (Emitting/Inference). Each layer kind's lowering is in
/// <see cref="InferenceLowering"/>'s exhaustive switch.
/// </summary>
internal sealed record InferencePlan(EquatableArray<Stage> Stages, EquatableArray<Activation> Activations, EquatableArray<AffineOp> Affines,
    Activation Output, long ScratchLength)
{
    private const long MaxFloats = 1L << 27;

    public IEnumerable<ConvolutionStage> Convolutions => Stages.OfType<ConvolutionStage>();

    public static InferencePlan? Create(NetworkSummary summary, IReadOnlyList<LayerPlan> layers)
    {
        if (summary.Input.IsFlat) return null;
        if (InferenceLowering.Lower(summary, layers) is not { } draft) return null;
        var stages = draft.Stages;

        // Each convolution's input gets the zero border its padding needs; two convolutions reading one activation must agree.
        foreach (var conv in stages.Where(s => s.Convolution is not null))
        {
            var c = conv.Convolution!;
            if (conv.Input!.Pad != 0 && conv.Input.Pad != c.Padding) return null;
            conv.Input.Pad = c.Padding;
            if ((long)c.Kernel * c.Kernel * conv.Input.Shape.Channels * ((conv.Output.Shape.Channels + 7) / 8 * 8) > MaxFloats) return null;
        }

        // The first stage reads the caller's image directly when its layout is already what it needs:
        // one channel (so [C, H, W] is channels-last), no border, nothing to apply, and a stage that only reads it.
        var image = draft.Activations[0];
        var readsImageDirectly = stages.Count > 1 && !stages[1].InPlace && image.Shape.Channels == 1 && image.Pad == 0
            && stages[0].Epilogue.Count == 0;
        long offset = 0;
        var placed = new Dictionary<DraftActivation, Activation>();
        foreach (var activation in draft.Activations)
        {
            if (activation == image && readsImageDirectly)
            {
                placed[activation] = activation.Place(-1);
                continue;
            }
            var value = activation.Place(offset);
            if (value.Length > MaxFloats) return null;
            placed[activation] = value;
            offset += (value.Length + 7) / 8 * 8;
            if (offset > MaxFloats) return null;
        }
        if (readsImageDirectly) stages.RemoveAt(0);
        return new InferencePlan(
            new EquatableArray<Stage>(stages.Select(s => s.Freeze(placed))),
            new EquatableArray<Activation>(draft.Activations.Select(a => placed[a])),
            new EquatableArray<AffineOp>(stages.SelectMany(s => s.Epilogue).OfType<DraftAffine>().Select(a => a.Freeze())),
            placed[draft.Output],
            offset);
    }
}
