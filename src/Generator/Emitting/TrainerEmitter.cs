using Mnist.Dsl.Lowering;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// Writes a network's trainer on the plain-C# engine (Mnist.Dsl.Engine) into its partial class, as a nested static
/// class <c>Trainer</c>: the <c>TrainerBlueprint</c> that composes the engine's units with literal sizes, dropout p and
/// state-dict names, in the order of the network's <see cref="EngineLowering"/> (the calls TrainerBlueprint.For makes
/// at run time for the same layers). Emitted only when the compilation references the engine and the lowering has no
/// Unsupported reason. Text only: every number and name comes from the lowering.
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
        w.Line("/// Conv2d → ReLU → BatchNorm2d (→ Dropout) into one unit and ends in "
            + (trainer.EndsInLogSoftmax ? "LogSoftmax with NLL loss." : "logits with cross-entropy loss."));
        w.Line("/// </summary>");
        w.Open("public static class Trainer");
        w.Line($"/// <summary>The composition: one engine unit per line, sizes as literals.</summary>");
        w.Line($"public static {Engine}.Composition.TrainerBlueprint Blueprint {{ get; }} = new {Engine}.Composition.TrainerBlueprint(" +
               $"{Code.String(spec.Type.Name)}, {Code.Int(spec.Channels)}, {Code.Int(spec.Height)}, {Code.Int(spec.Width)}, " +
                   $"{Code.Int(spec.Classes)})");
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

    /// <summary>The blueprint's call for <paramref name="step"/>, as TrainerBlueprint.For makes it live: the step's
    /// description rendered as text.</summary>
    private static string Call(EngineStep step) => "." + Code.Call(step.Call);
}
