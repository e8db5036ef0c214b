using System.Globalization;
using Mnist.Dsl.Analysis;

namespace Mnist.Dsl.Generator.Emitting.Inference;

/// <summary>
/// Writes &lt;Network&gt;Inference: the network's forward pass in plain C# (no native code, no
/// TorchSharp), one call per stage into Mnist.Dsl's inference kernels with every shape a literal. Weights come
/// from a safetensors file through Mnist.Dsl.Inference (in Mnist.Dsl.dll), checked against the declared shapes.
/// Text only: the stages come from <see cref="InferencePlan"/>, the calls from <see cref="StageCallWriter"/>.
/// </summary>
internal static class InferenceEmitter
{
    /// <summary>What every inference class implements, so the registry and code in other assemblies can use any of them.</summary>
    private const string Interface = "global::Mnist.Dsl.Inference.INetworkInference";

    /// <summary>The source of the inference class, or null when the plan cannot cover the network (see <see cref="InferencePlan"/>).</summary>
    public static string? Emit(NetworkPlan network)
    {
        if (network.Inference is not { } plan) return null;
        var spec = network.Spec;
        var name = spec.InferenceName;
        var input = network.Summary.Input;
        var classes = plan.Output.Channels * plan.Output.Height * plan.Output.Width;

        var w = new SourceWriter();
        GeneratedFile.WriteHeader(w, " from the [Network] and layer attributes of " + spec.Type.Name + ".");
        GeneratedFile.OpenEnclosing(w, spec);

        WriteDocComment(w, spec, plan);
        w.Open($"{spec.Accessibility} sealed partial class {Code.Identifier(name)} : {Interface}");
        WriteConstants(w, spec, plan, input, classes);
        WriteInterfaceProperties(w);
        WriteFields(w, plan);
        StageCallWriter.WriteLayouts(w, plan);
        WriteLoading(w, spec, plan);
        WritePublicApi(w, name, input, classes, plan);
        StageCallWriter.WriteForward(w, plan);
        w.Close();

        GeneratedFile.CloseEnclosing(w, spec);
        return w.ToString();
    }

    private static void WriteDocComment(SourceWriter w, NetworkSpec spec, InferencePlan plan)
    {
        w.Line("/// <summary>");
        w.Line($"/// {Code.Xml(spec.Type.Name)}'s forward pass (eval mode) in plain C#: no native runtime, no TorchSharp,");
        w.Line("/// shapes fixed at compile time, one call per stage into Mnist.Dsl's inference kernels (Vector256 and FMA where the");
        w.Line("/// CPU has them; built in Release, so as fast in a Debug build of this project). Load the weights the trainer wrote");
        w.Line($"/// (<c>{Code.Xml(spec.InferenceName)}.Load(\"best.safetensors\")</c>), then <c>Predict</c> or <c>Classify</c> normalised images.");
        w.Line("/// One instance is safe to use from many threads at once; each thread gets its own scratch memory on its");
        w.Line("/// first call, after which a call allocates nothing (the parallel PredictBatch excepted: see there).");
        w.Line("/// <code>");
        foreach (var stage in plan.Stages)
            foreach (var layer in stage.Layers)
                w.Line($"/// stage {Code.Int(stage.Id)}: {Code.Xml(layer)}");
        w.Line("/// </code>");
        w.Line("/// </summary>");
    }

    private static void WriteConstants(SourceWriter w, NetworkSpec spec, InferencePlan plan, Shape input, int classes)
    {
        w.Member("The network this class computes, as its state-dict keys and error messages name it.",
            $"public const string Network = \"{spec.Type.Name}\";");
        w.Member("Input channels, height and width of one image.",
            $"public const int Channels = {Code.Int(input.Channels)}, Height = {Code.Int(input.Height)}, Width = {Code.Int(input.Width)};");
        w.Member("Floats per image: Channels × Height × Width, in PyTorch's [C, H, W] order.",
            $"public const int InputLength = {Code.Int(input.Channels * input.Height * input.Width)};");
        w.Member("Floats per result: one per class, what the module's forward returns for the image.",
            $"public const int Classes = {Code.Int(classes)};");
        w.Member("Floats of scratch memory per thread: every activation, each with the zero border its consumer needs.",
            $"private const int ScratchLength = {Code.Int(plan.ScratchLength)};");
        w.Member("Where the result lies in the scratch memory.", $"private const int OutputOffset = {Code.Int(plan.Output.Offset)};");
        w.Line("[global::System.ThreadStatic]");
        w.Line("private static float[]? scratch;");
    }

    /// <summary>The constants as the interface's properties: explicit, since a constant and a property cannot share a name.</summary>
    private static void WriteInterfaceProperties(SourceWriter w)
    {
        w.Line();
        w.Line($"string {Interface}.Network => Network;");
        w.Line($"int {Interface}.InputLength => InputLength;");
        w.Line($"int {Interface}.Classes => Classes;");
    }

    private static void WriteFields(SourceWriter w, InferencePlan plan)
    {
        w.Line();
        foreach (var conv in plan.Convolutions)
            w.Line($"private readonly float[] weights{Code.Int(conv.Id)}, bias{Code.Int(conv.Id)};");
        foreach (var affine in plan.Affines)
            w.Line($"private readonly float[] scale{Code.Int(affine.Id)}, shift{Code.Int(affine.Id)};");
    }

    private static void WriteLoading(SourceWriter w, NetworkSpec spec, InferencePlan plan)
    {
        const string Weights = "global::Mnist.Dsl.Inference.SafeTensorsWeights";
        const string Affine = "global::Mnist.Dsl.Inference.ChannelAffine";
        const string Layout = "global::Mnist.Dsl.Inference.KernelLayout";
        var name = Code.Identifier(spec.InferenceName);
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// Loads weights from a safetensors file with the module's state-dict keys (the trainer's best.safetensors or");
        w.Line("/// last.safetensors). Every tensor must be there, float32, with the declared shape; otherwise an");
        w.Line("/// <see cref=\"global::System.IO.InvalidDataException\"/> names the file, the tensor, and the expected and found shapes.");
        w.Line("/// </summary>");
        w.Line($"public static {name} Load(string path) => new {name}({Weights}.Read(path));");
        w.Line();
        w.Member("Loads weights from a stream holding a safetensors file; <paramref name=\"source\"/> names it in errors.",
            $"public static {name} Load(global::System.IO.Stream stream, string source) => new {name}({Weights}.Read(stream, source));");
        w.Line("/// <summary>Takes the network's tensors from <paramref name=\"weights\"/>, " +
            "folding BatchNorm where it can (see the class summary).</summary>");
        w.Open($"public {name}({Weights} weights)");
        w.Line("if (weights is null) throw new global::System.ArgumentNullException(nameof(weights));");
        foreach (var conv in plan.Convolutions)
        {
            var id = Code.Int(conv.Id);
            var shape = conv.IsLinear ? $"{conv.OutChannels}, {conv.InChannels}"
                : $"{conv.OutChannels}, {conv.InChannels / conv.Groups}, {conv.Kernel}, {conv.Kernel}";
            var fold = conv.FoldedBatchNorms.Count == 0 ? "null" : $"fold{id}";
            if (conv.FoldedBatchNorms.Count > 0) w.Line($"var fold{id} = {AffineChain(Affine, conv.FoldedBatchNorms, conv.OutChannels)};");
            var read = $"weights.ReadFloat32(Network, \"{conv.Name}.weight\", {shape})";
            w.Line(conv.IsDepthwise ? $"weights{id} = {Layout}.DepthwiseWeights({read}, {conv.OutChannels}, {conv.Kernel}, {fold}, {conv.PaddedOut});"
                : conv.Groups != 1 ? $"weights{id} = {Layout}.GroupedWeights({read}, {conv.OutChannels}, {conv.InChannels}, {conv.Kernel}, " +
                    $"{conv.Groups}, {fold}, {conv.PaddedOut});"
                : $"weights{id} = {Layout}.Weights({read}, {conv.OutChannels}, {conv.InChannels}, {conv.Kernel}, {fold}, {conv.PaddedOut});");
            var bias = conv.Bias ? $"weights.ReadFloat32(Network, \"{conv.Name}.bias\", {conv.OutChannels})" : "null";
            w.Line($"bias{id} = {Layout}.Bias({bias}, {conv.OutChannels}, {fold}, {conv.PaddedOut});");
        }
        foreach (var affine in plan.Affines)
        {
            var id = Code.Int(affine.Id);
            var padded = (affine.Channels + 7) / 8 * 8;
            w.Line($"var affine{id} = {AffineChain(Affine, affine.BatchNorms, affine.Channels)};");
            w.Line($"scale{id} = affine{id}.ScaleVector({Code.Int(padded)});");
            w.Line($"shift{id} = affine{id}.ShiftVector({Code.Int(padded)});");
        }
        var counters = plan.Affines.SelectMany(a => a.BatchNorms).Concat(plan.Convolutions.SelectMany(c => c.FoldedBatchNorms))
            .Select(b => $"\"{b.Name}.num_batches_tracked\"").OrderBy(s => s, System.StringComparer.Ordinal).ToArray();
        w.Line("// BatchNorm's step counter is state the training needs and inference does not.");
        w.Line(counters.Length == 0
            ? "weights.EnsureEverythingRead(Network, static key => false);"
            : $"weights.EnsureEverythingRead(Network, static key => key is {string.Join(" or ", counters)});");
        w.Close();
    }

    private static string AffineChain(string type, IEnumerable<BatchNormUse> batchNorms, int channels) =>
        string.Join(".Then(", batchNorms.Select(b => $"{type}.BatchNorm(weights, Network, \"{b.Name}\", {Code.Int(channels)}, {Code.Double(b.Eps)})"))
        + new string(')', batchNorms.Count() - 1);

    private static void WritePublicApi(SourceWriter w, string name, Shape input, int classes, InferencePlan plan)
    {
        const string Span = "global::System.Span<float>";
        const string ReadOnlySpan = "global::System.ReadOnlySpan<float>";
        var shape = $"{input.Channels}×{input.Height}×{input.Width}";
        w.Line();
        w.Line("/// <summary>");
        w.Line($"/// The network's output for one image of InputLength ({Code.Int(input.Channels * input.Height * input.Width)}) floats, " +
            $"[C, H, W] order ({shape}), normalised");
        w.Line("/// as in training; writes Classes floats to <paramref name=\"output\"/>: what the module's forward gives in eval mode.");
        w.Line("/// </summary>");
        w.Open($"public void Predict({ReadOnlySpan} image, {Span} output)");
        w.Line("CheckImages(image, 1, nameof(image));");
        w.Line("CheckOutputs(output, 1, nameof(output));");
        w.Line("var work = Scratch();");
        w.Line("Forward(image, work);");
        w.Line($"new {ReadOnlySpan}(work, OutputOffset, Classes).CopyTo(output);");
        w.Close();
        w.Line();
        w.Line("/// <summary>The class with the highest output for one image (the first of equal ones, as torch.argmax).</summary>");
        w.Open($"public int Classify({ReadOnlySpan} image)");
        w.Line("CheckImages(image, 1, nameof(image));");
        w.Line("var work = Scratch();");
        w.Line("Forward(image, work);");
        w.Line("var best = 0;");
        w.Line("for (var c = 1; c < Classes; c++) if (work[OutputOffset + c] > work[OutputOffset + best]) best = c;");
        w.Line("return best;");
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The outputs of N images, one after another (N × InputLength floats in, N × Classes out), on the calling thread.");
        w.Line("/// </summary>");
        w.Open($"public void PredictBatch({ReadOnlySpan} images, {Span} outputs)");
        w.Line("var count = images.Length / InputLength;");
        w.Line("CheckImages(images, count, nameof(images));");
        w.Line("CheckOutputs(outputs, count, nameof(outputs));");
        w.Line("var work = Scratch();");
        w.Open("for (var n = 0; n < count; n++)");
        w.Line("Forward(images.Slice(n * InputLength, InputLength), work);");
        w.Line($"new {ReadOnlySpan}(work, OutputOffset, Classes).CopyTo(outputs.Slice(n * Classes, Classes));");
        w.Close();
        w.Close();
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// As the other PredictBatch, split into <paramref name=\"threads\"/> contiguous parts computed in parallel");
        w.Line("/// (Parallel.For; each part on one thread). With threads 1 it runs on the calling thread and allocates nothing;");
        w.Line("/// otherwise Parallel.For allocates its bookkeeping, a few hundred bytes per call, not per image.");
        w.Line("/// </summary>");
        w.Open($"public void PredictBatch(global::System.ReadOnlyMemory<float> images, global::System.Memory<float> outputs, int threads)");
        w.Line("if (threads < 1) throw new global::System.ArgumentOutOfRangeException(nameof(threads), threads, " +
            "\"Use 1 or more threads (Environment.ProcessorCount for all cores).\");");
        w.Line("var count = images.Length / InputLength;");
        w.Line("CheckImages(images.Span, count, nameof(images));");
        w.Line("CheckOutputs(outputs.Span, count, nameof(outputs));");
        w.Line("var parts = global::System.Math.Min(threads, count);");
        w.Line("if (parts <= 1) PredictBatch(images.Span, outputs.Span);");
        w.Line("else PredictInParts(images, outputs, count, parts);");
        w.Close();
        w.Line();
        w.Line("// Its own method: the lambda's captures would otherwise allocate on every call, parallel or not.");
        w.Open("private void PredictInParts(global::System.ReadOnlyMemory<float> images, global::System.Memory<float> outputs, int count, " +
            "int parts)");
        w.Open("global::System.Threading.Tasks.Parallel.For(0, parts, " +
            "new global::System.Threading.Tasks.ParallelOptions { MaxDegreeOfParallelism = parts }, part =>");
        w.Line("int start = (int)((long)count * part / parts), end = (int)((long)count * (part + 1) / parts);");
        w.Line("PredictBatch(images.Span.Slice(start * InputLength, (end - start) * InputLength), outputs.Span.Slice(start * Classes, " +
            "(end - start) * Classes));");
        w.Close(");");
        w.Close();
        w.Line();
        w.Line("private static float[] Scratch() => scratch ??= new float[ScratchLength];");
        w.Line();
        w.Open($"private static void CheckImages({ReadOnlySpan} images, int count, string parameter)");
        w.Line("if (images.Length == 0 || images.Length != count * InputLength)");
        w.Line($"    throw new global::System.ArgumentException($\"{name} needs {{InputLength}} floats per image ({shape}, [C, H, W] order, " +
            $"normalised as in training); got {{images.Length}}, which is not a positive multiple of {{InputLength}}.\", parameter);");
        w.Close();
        w.Line();
        w.Open($"private static void CheckOutputs({Span} outputs, int count, string parameter)");
        w.Line("if (outputs.Length != count * Classes)");
        w.Line($"    throw new global::System.ArgumentException($\"{name} writes {{Classes}} floats per image: " +
            $"{{count * Classes}} for {{count}} image(s); the output has {{outputs.Length}}.\", parameter);");
        w.Close();
    }
}
