namespace Mnist.Dsl.Generator;

/// <summary>Names of the pipeline steps, so tests can check which steps ran and which were cached.</summary>
public static class TrackingNames
{
    /// <summary>Each [Network] declaration as parsed (NetworkSpec).</summary>
    public const string Networks = nameof(Networks);

    /// <summary>The project's parameter budgets (ParameterBudgets), read once per compilation.</summary>
    public const string ParameterBudgets = nameof(ParameterBudgets);

    /// <summary>Each network's plan (NetworkPlan): its declaration with the budget that applies, computed once.</summary>
    public const string Plans = nameof(Plans);

    public const string Flavour = nameof(Flavour);
    public const string NetworksWithFlavour = nameof(NetworksWithFlavour);
    public const string InferenceSupport = nameof(InferenceSupport);
    public const string NetworksWithInferenceSupport = nameof(NetworksWithInferenceSupport);

    /// <summary>Whether the compilation references Mnist.Dsl.Engine (the trainer is emitted only then).</summary>
    public const string TrainerSupport = nameof(TrainerSupport);

    /// <summary>Each plan paired with <see cref="TrainerSupport"/>: what the trainer's output reads.</summary>
    public const string NetworksWithTrainerSupport = nameof(NetworksWithTrainerSupport);

    /// <summary>The registry's list of networks (EquatableArray of RegistryEntry).</summary>
    public const string RegistryEntries = nameof(RegistryEntries);

    public const string RegistryTarget = nameof(RegistryTarget);
}
