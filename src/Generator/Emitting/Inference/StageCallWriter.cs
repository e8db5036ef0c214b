using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Generator.Model.Inference;

namespace Mnist.Dsl.Generator.Emitting.Inference;

/// <summary>
/// Writes the inference class's forward pass as one call per stage into Mnist.Dsl's InferenceKernels, every size,
/// offset and weight a literal or a field. The loops themselves are in Mnist.Dsl, built in Release: code generated
/// into the user's assembly is compiled as that assembly is, without optimisations in a Debug build, so it only
/// composes. Each activation's layout is a static field (activation{index}), its place a slice of the scratch array.
/// </summary>
internal static class StageCallWriter
{
    private const string KernelNamespace = "global::Mnist.Dsl.Inference";
    private const string Kernels = KernelNamespace + ".InferenceKernels";
    private const string Layout = "global::Mnist.Dsl.Inference.ActivationLayout";
    private const string Epilogue = "global::Mnist.Dsl.Inference.Epilogue";

    public static void WriteLayouts(SourceWriter w, InferencePlan plan)
    {
        w.Line();
        w.Line("// Every activation's shape and zero border, channels-last; where each lies in the scratch memory is in Forward.");
        for (var i = 0; i < plan.Activations.Count; i++)
        {
            var a = plan.Activations[i];
            w.Line($"private static readonly {Layout} {Name(plan, a)} = new {Layout}({Code.Int(a.Channels)}, {Code.Int(a.Height)}, " +
                $"{Code.Int(a.Width)}, {Code.Int(a.Pad)});");
        }
    }

    public static void WriteForward(SourceWriter w, InferencePlan plan)
    {
        w.Line();
        w.Line("/// <summary>One image through every stage; the result lands at OutputOffset in <paramref name=\"work\"/>.</summary>");
        w.Open("private void Forward(global::System.ReadOnlySpan<float> image, float[] work)");
        foreach (var stage in plan.Stages)
        {
            w.Line($"// stage {Code.Int(stage.Id)}: {string.Join("; ", stage.Layers)}");
            var chunks = Chunks(stage.Epilogue);
            var first = chunks.Count == 0 ? $"{Epilogue}.None" : EpilogueValue(chunks[0]);
            var output = Slice(plan, stage.Output);
            var outputLayout = Name(plan, stage.Output);
            w.Line(Call(plan, stage, output, outputLayout, first));
            foreach (var chunk in chunks.Skip(1))
                w.Line($"{Kernels}.ApplyEpilogue({output}, {outputLayout}, {EpilogueValue(chunk)});");
        }
        w.Close();
    }

    /// <summary>The kernel call of a stage. Exhaustive over <see cref="StageKind"/> with no discard arm: a new stage does
    /// not compile until it has its call. An elementwise stage calls the kernel its layer's record names, with the
    /// record's arguments between the layout and the epilogue.</summary>
    private static string Call(InferencePlan plan, Stage stage, string output, string outputLayout, string first) => stage.Kind switch
    {
        StageKind.Input => $"{Kernels}.Image(image, {output}, {outputLayout}, {first});",
        StageKind.Convolution => Convolution(plan, (ConvolutionStage)stage, output, outputLayout, first),
        StageKind.Pool => Pool(plan, (PoolStage)stage, output, outputLayout, first),
        StageKind.GlobalAveragePool =>
            $"{Kernels}.GlobalAveragePool({Slice(plan, stage.Input!)}, {Name(plan, stage.Input!)}, {output}, {outputLayout}, {first});",
        StageKind.Flatten => $"{Kernels}.Flatten({Slice(plan, stage.Input!)}, {Name(plan, stage.Input!)}, {output}, {outputLayout}, {first});",
        StageKind.Elementwise => Elementwise(((ElementwiseStage)stage).Kernel, output, outputLayout, first),
        StageKind.LogSoftmax => $"{Kernels}.LogSoftmax({output}, {outputLayout}, {first});",
    };

    private static string Convolution(InferencePlan plan, ConvolutionStage conv, string output, string outputLayout, string first) =>
        $"{Kernels}.{(conv.IsDepthwise ? "DepthwiseConvolution" : "Convolution")}({Slice(plan, conv.Input!)}, " +
        $"{Name(plan, conv.Input!)}, {output}, {outputLayout}, "
        + $"weights{Code.Int(conv.Id)}, bias{Code.Int(conv.Id)}, {Code.Int(conv.Kernel)}, {Code.Int(conv.Stride)}, {first});";

    private static string Pool(InferencePlan plan, PoolStage pool, string output, string outputLayout, string first) =>
        $"{Kernels}.Pool({Slice(plan, pool.Input!)}, {Name(plan, pool.Input!)}, {output}, {outputLayout}, "
        + $"max: {Code.Bool(pool.IsMax)}, {Code.Int(pool.Kernel)}, {Code.Int(pool.Stride)}, {first});";

    private static string Elementwise(Mnist.Dsl.Layers.LayerCall kernel, string output, string outputLayout, string first) =>
        $"{KernelNamespace}.{kernel.Function}({output}, {outputLayout}, "
        + string.Concat(kernel.Arguments.Select(a => Code.Argument(a) + ", ")) + $"{first});";

    /// <summary>
    /// The stage's epilogue as the kernels take it: ReLU, scale and shift, ReLU, each optional, in that order; a
    /// longer chain (ReLU and BatchNorm alternating more often) is cut into several, the rest applied in place after.
    /// </summary>
    private static List<List<EpilogueOp>> Chunks(EquatableArray<EpilogueOp> ops)
    {
        var chunks = new List<List<EpilogueOp>>();
        var i = 0;
        while (i < ops.Count)
        {
            var chunk = new List<EpilogueOp>();
            if (i < ops.Count && ops[i] is ReluOp) chunk.Add(ops[i++]);
            if (i < ops.Count && ops[i] is AffineOp) chunk.Add(ops[i++]);
            if (i < ops.Count && ops[i] is ReluOp) chunk.Add(ops[i++]);
            if (chunk.Count == 0) throw new System.NotSupportedException($"no kernel epilogue for {ops[i]}");
            chunks.Add(chunk);
        }
        return chunks;
    }

    private static string EpilogueValue(List<EpilogueOp> chunk)
    {
        if (chunk.Count == 1 && chunk[0] is ReluOp) return $"{Epilogue}.Relu";
        var affine = chunk.OfType<AffineOp>().SingleOrDefault();
        var reluFirst = chunk.Count > 0 && chunk[0] is ReluOp;
        var reluLast = chunk.Count > 1 && chunk[chunk.Count - 1] is ReluOp;
        var scale = affine is null ? "null" : $"scale{Code.Int(affine.Id)}";
        var shift = affine is null ? "null" : $"shift{Code.Int(affine.Id)}";
        return $"new {Epilogue}({Code.Bool(reluFirst)}, {scale}, {shift}, {Code.Bool(reluLast)})";
    }

    private static string Name(InferencePlan plan, Activation activation) => "activation" + Code.Int(plan.Activations.ToList().IndexOf(activation));

    private static string Slice(InferencePlan plan, Activation activation) =>
        activation.IsImage ? "image" : $"new global::System.Span<float>(work, {Code.Int(activation.Offset)}, {Code.Int(activation.Length)})";
}
