namespace Mnist.Dsl.Generator;

/// <summary>Names of the pipeline steps, so tests can check which steps ran and which were cached.</summary>
public static class TrackingNames
{
    public const string Networks = nameof(Networks);
    public const string Flavour = nameof(Flavour);
    public const string NetworksWithFlavour = nameof(NetworksWithFlavour);
    public const string InferenceSupport = nameof(InferenceSupport);
    public const string NetworksWithInferenceSupport = nameof(NetworksWithInferenceSupport);
}
