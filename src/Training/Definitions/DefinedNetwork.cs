using Mnist.Dsl.Analysis;
using Mnist.Dsl.Engine.Composition;
using Mnist.Dsl.Lowering;

namespace Mnist.Dsl.Training.Definitions;

/// <summary>
/// A network written as data (an F# list of layers, a <see cref="NetworkDefinition"/> built in code) as a
/// <see cref="RegisteredNetwork"/>, the form the generated registries list C# networks in: so the trainer, its
/// list, summary, train and eval commands take it next to them. Its trainer on the plain-C# engine is composed at run
/// time from the same lowering the generator writes C# networks' trainers from (TrainerBlueprint.For); where the program
/// references the TorchSharp backend (Mnist.Dsl.TorchSharp), its module is that package's DefinedModule built at run
/// time; it has no inference class (generated code, for C# declarations only).
/// </summary>
public static class DefinedNetwork
{
    /// <summary>
    /// The network of <paramref name="definition"/>, found by <paramref name="name"/> (default: the definition's name).
    /// Checks the rules now: a definition that breaks one throws <see cref="NetworkRulesException"/> with the
    /// analyzer's messages, before anything can try to train it.
    /// </summary>
    public static RegisteredNetwork Register(NetworkDefinition definition, string? name = null, string description = "")
    {
        var summary = Check(definition);
        // The trainer on the plain-C# engine: the units the generator would write for the same layers, composed now.
        var lowering = EngineLowering.Of(definition, summary);
        var blueprint = lowering.Unsupported is null ? TrainerBlueprint.From(lowering) : null;
        Func<object>? createModule = TrainingBackends.Torch is IModuleFactory torch ? () => torch.CreateModule(definition) : null;
        var registration = new NetworkRegistration
        {
            Name = string.IsNullOrEmpty(name) ? definition.Name : name!,
            FullName = definition.Name,
            Type = typeof(DefinedNetwork),
            Definition = definition,
            Summary = summary,
            Description = description ?? "",
            CreateModule = createModule,
            NoTrainerReason = lowering.Unsupported,
        };
        return blueprint is null ? RegisteredNetwork.Create(registration)
            : RegisteredNetwork.Create<TrainerOptions, ITrainer>(registration, blueprint.Create);
    }

    /// <summary>The definition's analysis, or the refusal with every broken rule's message.</summary>
    public static NetworkSummary Check(NetworkDefinition definition)
    {
        if (definition is null) throw new ArgumentNullException(nameof(definition));
        var report = NetworkAnalysis.Analyze(definition);
        return report.IsValid ? report.Summary! : throw new NetworkRulesException(report);
    }
}
