namespace Mnist.Dsl.Training.Backends;

/// <summary>
/// The backends a process has: the plain-C# engine always; TorchSharp when the project references the
/// Mnist.Dsl.TorchSharp package. That package depends on this one, so it is found by name, not referenced.
/// </summary>
internal static class TrainingBackends
{
    private const string TorchBackendType = "Mnist.Dsl.Torch.TorchBackend, Mnist.Dsl.TorchSharp";

    private static readonly Lazy<ITrainingBackend?> LazyTorch = new(() =>
        Type.GetType(TorchBackendType, throwOnError: false) is { } type ? (ITrainingBackend?)Activator.CreateInstance(type) : null);

    /// <summary>The TorchSharp backend, or null when its package is not referenced. Loads no native library.</summary>
    public static ITrainingBackend? Torch => LazyTorch.Value;

    /// <summary>The backend of <paramref name="kind"/>; a missing one is a one-line error saying which packages to add.</summary>
    public static ITrainingBackend For(EngineKind kind) => kind switch
    {
        EngineKind.Generated => EngineBackend.Instance,
        EngineKind.Torch => Torch ?? throw new UserError(
            "--engine torch needs the TorchSharp backend, which this program does not reference: " +
                "add the packages Mnist.Dsl.TorchSharp and TorchSharp-cpu "
            + "(`dotnet add package Mnist.Dsl.TorchSharp`, `dotnet add package TorchSharp-cpu`) to train on libtorch, or use --engine generated."),
    };
}
