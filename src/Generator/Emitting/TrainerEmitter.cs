using System.Globalization;
using System.Linq;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// Writes a network's trainer on the plain-C# engine (Mnist.Dsl.Engine) into its partial class, as a nested static
/// class <c>Trainer</c>: one <c>IConv2dShape</c> struct per convolution with its shape as literals, and the
/// <c>TrainerBlueprint</c> that composes the engine's units with literal sizes, dropout p and state-dict names, in the
/// order of the <see cref="TrainerPlan"/>. Emitted only when the compilation references the engine and the plan has no
/// Unsupported reason. Text only: every number and name comes from the plan.
/// </summary>
internal static class TrainerEmitter
{
    private const string Engine = "global::Mnist.Dsl.Engine";

    /// <summary>The hint name of the trainer's file, next to the network's.</summary>
    public static string HintName(NetworkSpec spec) => spec.HintName.Substring(0, spec.HintName.Length - ".g.cs".Length) + ".Trainer.g.cs";

    public static string? Emit(NetworkPlan plan)
    {
        var trainer = plan.Trainer;
        if (trainer.Unsupported is not null) return null;
        var spec = plan.Spec;
        var w = new SourceWriter();
        GeneratedFile.WriteHeader(w, ": " + spec.Type.Name + "'s training step on the plain-C# engine (Mnist.Dsl.Engine).");
        GeneratedFile.OpenEnclosing(w, spec);
        w.Open($"partial {spec.Type.Keyword} {Code.Identifier(spec.Type.Name)}");

        w.Line("/// <summary>");
        w.Line($"/// {Code.Xml(spec.Type.Name)}'s training step in plain C#: train-mode forward, backward and the optimizer's update on");
        w.Line("/// Mnist.Dsl.Engine, no native library. Parameters and buffers carry the module's state-dict keys. The blueprint fuses");
        w.Line("/// Conv2d → ReLU → BatchNorm2d (→ Dropout) into one unit and ends in " + (trainer.EndsInLogSoftmax ? "LogSoftmax with NLL loss." : "logits with cross-entropy loss."));
        w.Line("/// </summary>");
        w.Open("public static class Trainer");
        foreach (var step in trainer.Steps.Where(s => s.Kind == LayerKind.Conv2d))
            WriteShape(w, step.Layer);

        w.Line($"/// <summary>The composition: one engine unit per line, sizes as literals.</summary>");
        w.Line($"public static {Engine}.Composition.TrainerBlueprint Blueprint {{ get; }} = new {Engine}.Composition.TrainerBlueprint(" +
               $"{Code.String(spec.Type.Name)}, {Code.Int(spec.Channels)}, {Code.Int(spec.Height)}, {Code.Int(spec.Width)}, {Code.Int(spec.Classes)})");
        foreach (var step in trainer.Steps) w.Line("    " + Call(step));
        w.Line("    " + (trainer.EndsInLogSoftmax ? ".LogSoftmaxNllLoss();" : ".CrossEntropyLoss();"));
        w.Line();
        w.Line("/// <summary>A new trainer (weights initialised as PyTorch does, from the options' seed).</summary>");
        w.Line($"public static {Engine}.Trainers.ITrainer Create({Engine}.Trainers.TrainerOptions options) => Blueprint.Create(options);");
        w.Close();

        w.Close();
        GeneratedFile.CloseEnclosing(w, spec);
        return w.ToString();
    }

    private static string ShapeName(LayerPlan layer) => Code.Identifier(char.ToUpperInvariant(layer.MemberName![0]) + layer.MemberName.Substring(1));

    private static void WriteShape(SourceWriter w, LayerPlan layer)
    {
        var conv = (Conv2d)layer.Layer;
        var input = layer.Report.Input;
        w.Line(string.Format(CultureInfo.InvariantCulture, "/// <summary>{0}: Conv2d({1} → {2}, {3}×{3}, stride {4}, padding {5}{6}) on {7}×{8}.</summary>",
            layer.MemberName, input.Channels, conv.OutChannels, conv.KernelSize, conv.Stride, conv.Padding, conv.Bias ? ", bias" : "", input.Height, input.Width));
        w.Open($"public struct {ShapeName(layer)} : {Engine}.Convolution.IConv2dShape");
        w.Line($"public static int InChannels => {Code.Int(input.Channels)};");
        w.Line($"public static int OutChannels => {Code.Int(conv.OutChannels)};");
        w.Line($"public static int Height => {Code.Int(input.Height)};");
        w.Line($"public static int Width => {Code.Int(input.Width)};");
        w.Line($"public static int Kernel => {Code.Int(conv.KernelSize)};");
        w.Line($"public static int Stride => {Code.Int(conv.Stride)};");
        w.Line($"public static int Padding => {Code.Int(conv.Padding)};");
        w.Line($"public static bool Bias => {Code.Bool(conv.Bias)};");
        w.Close();
        w.Line();
    }

    /// <summary>The blueprint's call for <paramref name="step"/>. No discard arm: a new layer kind does not compile until it has its call here.</summary>
    private static string Call(TrainerStep step)
    {
        var layer = step.Layer;
        var name = layer.MemberName is null ? "" : Code.String(layer.MemberName);
        return step.Kind switch
        {
            LayerKind.Conv2d when step.BatchNorm is { } batchNorm =>
                $".ConvReluBatchNorm2d<{ShapeName(layer)}>({name}, {Code.String(batchNorm.MemberName!)}, {Code.Double(((BatchNorm2d)batchNorm.Layer).Momentum)}, {Code.Double(((BatchNorm2d)batchNorm.Layer).Eps)}, {Code.Double(step.Dropout)})",
            LayerKind.Conv2d => $".Conv2d<{ShapeName(layer)}>({name})",
            LayerKind.BatchNorm2d => $".BatchNorm2d({name}, {Code.Double(((BatchNorm2d)layer.Layer).Momentum)}, {Code.Double(((BatchNorm2d)layer.Layer).Eps)})",
            LayerKind.BatchNorm1d => $".BatchNorm1d({name}, {Code.Double(((BatchNorm1d)layer.Layer).Momentum)}, {Code.Double(((BatchNorm1d)layer.Layer).Eps)})",
            LayerKind.ReLU => ".ReLU()",
            LayerKind.Dropout => $".Dropout({Code.Double(((Dropout)layer.Layer).P)})",
            LayerKind.Dropout2d => $".Dropout2d({Code.Double(((Dropout2d)layer.Layer).P)})",
            LayerKind.MaxPool2d => $".MaxPool2d({Code.Int(((MaxPool2d)layer.Layer).KernelSize)}, {Code.Int(((MaxPool2d)layer.Layer).EffectiveStride)})",
            LayerKind.AvgPool2d => $".AvgPool2d({Code.Int(((AvgPool2d)layer.Layer).KernelSize)}, {Code.Int(((AvgPool2d)layer.Layer).EffectiveStride)})",
            LayerKind.GlobalAvgPool2d => ".GlobalAvgPool2d()",
            LayerKind.Flatten => ".Flatten()",
            LayerKind.Linear => $".Linear({name}, {Code.Int(layer.Report.Input.Elements)}, {Code.Int(((Linear)layer.Layer).OutFeatures)}, {Code.Bool(((Linear)layer.Layer).Bias)})",
            LayerKind.LogSoftmax => ".LogSoftmax()",
        };
    }
}
