using Mnist.Dsl.Analysis;
using Mnist.Dsl.Lowering;

namespace Mnist.Dsl.Generator.Model;

/// <summary>
/// What one network means, computed once from its declaration and the budget that applies to it: the resolved
/// budget, the layer algebra's summary, and per layer its shapes, numbers and names. Every
/// emitter (the module, the inference class, the registry) reads this and nothing else, so a layer means the same
/// thing in every artefact and nothing is computed twice.
/// </summary>
/// <remarks>
/// Immutable and equal by value, part by part (the declaration, the budget, every layer's numbers and names, the
/// inference plan and the engine lowering), so the incremental pipeline skips what follows an edit that changes none
/// of them. It holds no C#: the emitters render text from it.
/// </remarks>
public sealed class NetworkPlan : IEquatable<NetworkPlan>
{
    private NetworkPlan(NetworkSpec spec, int parameterBudget, NetworkDefinition definition, NetworkSummary summary)
    {
        Spec = spec;
        ParameterBudget = parameterBudget;
        Summary = summary;
        // Member names and state-dict keys are Mnist.Dsl's, which the run-time module builder uses too: one naming for both.
        var layout = ModuleLayout.Of(summary);
        Layers = new EquatableArray<LayerPlan>(summary.Layers
            .Select(report => new LayerPlan(report, layout.Members[report.Index],
                new EquatableArray<string>(layout.StateByLayer[report.Index].Select(t => t.Key))))
            .ToArray());
        StateKeys = new EquatableArray<string>(Layers.SelectMany(l => l.StateKeys));
        Inference = InferencePlan.Create(summary, Layers);
        Trainer = EngineLowering.Of(definition, summary);
    }

    public NetworkSpec Spec { get; }

    /// <summary>The budget the analyzer enforces: the attribute's, else the file's .editorconfig, else the project's.</summary>
    public int ParameterBudget { get; }

    public NetworkSummary Summary { get; }

    /// <summary>Every declared layer in order, functional ones included.</summary>
    public EquatableArray<LayerPlan> Layers { get; }

    /// <summary>Every state-dict key of the module, in registration order.</summary>
    public EquatableArray<string> StateKeys { get; }

    /// <summary>At least one layer is a module field (a network of functional layers only has none).</summary>
    public bool HasModules => Layers.Any(l => l.IsModule);

    /// <summary>How the inference class computes the network; null when its sizes are beyond what the kernels handle.</summary>
    internal InferencePlan? Inference { get; }

    /// <summary>How the engine's trainer composes the step (the lowering the run time composes F# lists from too); its
    /// Unsupported says why there is none.</summary>
    internal EngineLowering Trainer { get; }

    /// <summary>The plan, or null when the network's shapes do not work (the analyzer reports why; nothing is emitted).</summary>
    public static NetworkPlan? Create(NetworkSpec spec, int parameterBudget)
    {
        var definition = new NetworkDefinition(spec.Type.Name, spec.Channels, spec.Height, spec.Width, spec.Layers, spec.Classes, parameterBudget,
            spec.Requires);
        return NetworkAnalysis.Analyze(definition).Summary is { } summary ? new NetworkPlan(spec, parameterBudget, definition, summary) : null;
    }

    /// <summary>
    /// Equal part by part. The summary is a function of the layers' reports (compared in <see cref="Layers"/>) and the
    /// input and name (in <see cref="Spec"/>); the lowering is compared by its steps and outcome.
    /// </summary>
    public bool Equals(NetworkPlan? other) =>
        other is not null && ParameterBudget == other.ParameterBudget && Spec.Equals(other.Spec) && Layers.Equals(other.Layers)
        && Equals(Inference, other.Inference)
        && Trainer.Unsupported == other.Trainer.Unsupported && Trainer.EndsInLogSoftmax == other.Trainer.EndsInLogSoftmax
        && Trainer.Steps.SequenceEqual(other.Trainer.Steps);

    public override bool Equals(object? obj) => Equals(obj as NetworkPlan);

    public override int GetHashCode() => Spec.GetHashCode() * 31 + ParameterBudget;
}
