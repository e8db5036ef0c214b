using Microsoft.CodeAnalysis;
using Mnist.Dsl.Declarations;

namespace Mnist.Dsl.Generator;

/// <summary>
/// For every class marked [Network], emits its module code, and its inference class (&lt;Name&gt;Inference: the
/// forward pass in plain C#, see <see cref="InferenceEmitter"/>) when the compilation has what that code needs; and
/// its trainer on the plain-C# engine (a nested Trainer class, see
/// <see cref="TrainerEmitter"/>) when the compilation references Mnist.Dsl.Engine; and once per compilation the
/// registry that lists them (see <see cref="RegistryEmitter"/>). Each network's
/// <see cref="NetworkPlan"/> is computed once, from its declaration and the budget the project sets, and every
/// emitter reads it. The pipeline carries only equatable values (<see cref="NetworkSpec"/>,
/// <see cref="ParameterBudgets"/>, <see cref="NetworkPlan"/>, <see cref="RuntimeFlavour"/>, a bool), so an edit that
/// does not change a network does not re-emit it.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed class NetworkGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var networks = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                NetworkAttributeReader.NetworkAttributeName,
                static (node, _) => node is Microsoft.CodeAnalysis.CSharp.Syntax.ClassDeclarationSyntax,
                static (ctx, ct) => NetworkParser.Parse(ctx, ct))
            .Where(static spec => spec is not null)
            .Select(static (spec, _) => spec!)
            .WithTrackingName(TrackingNames.Networks);

        // The budget the analyzer enforces, from the same settings (.editorconfig per file, global config, MSBuild).
        // Read again for every compilation, but the result is a small value that is equal while the settings are.
        var budgets = context.AnalyzerConfigOptionsProvider
            .Combine(context.CompilationProvider)
            .Select(static (pair, _) => ParameterBudgets.Read(pair.Left, pair.Right))
            .WithTrackingName(TrackingNames.ParameterBudgets);

        var plans = networks.Combine(budgets)
            .Select(static (pair, _) => NetworkPlan.Create(pair.Left, pair.Right.For(pair.Left.FilePath, pair.Left.DeclaredParameterBudget)))
            .Where(static plan => plan is not null)
            .Select(static (plan, _) => plan!)
            .WithTrackingName(TrackingNames.Plans);

        var flavour = context.CompilationProvider
            .Select(static (compilation, _) => FlavourOf(compilation))
            .WithTrackingName(TrackingNames.Flavour);

        var toEmit = plans.Combine(flavour).WithTrackingName(TrackingNames.NetworksWithFlavour);

        context.RegisterSourceOutput(toEmit, static (output, pair) =>
            output.AddSource(pair.Left.Spec.HintName, NetworkEmitter.Emit(pair.Left, pair.Right)));

        var inferenceSupport = context.CompilationProvider
            .Select(static (compilation, _) => SupportsInference(compilation))
            .WithTrackingName(TrackingNames.InferenceSupport);

        var inference = plans.Combine(inferenceSupport).WithTrackingName(TrackingNames.NetworksWithInferenceSupport);

        context.RegisterSourceOutput(inference, static (output, pair) =>
        {
            if (!pair.Right || pair.Left.Spec.InferenceNameTaken) return;
            if (InferenceEmitter.Emit(pair.Left) is { } source) output.AddSource(pair.Left.Spec.InferenceHintName, source);
        });

        var trainerSupport = context.CompilationProvider
            .Select(static (compilation, _) => SupportsTrainer(compilation))
            .WithTrackingName(TrackingNames.TrainerSupport);

        var trainers = plans.Combine(trainerSupport).WithTrackingName(TrackingNames.NetworksWithTrainerSupport);

        context.RegisterSourceOutput(trainers, static (output, pair) =>
        {
            if (!pair.Right) return;
            if (TrainerEmitter.Emit(pair.Left) is { } source) output.AddSource(TrainerEmitter.HintName(pair.Left.Spec), source);
        });

        var registryEntries = inference.Combine(trainerSupport)
            .Select(static (pair, _) => RegistryEntry.Of(pair.Left.Left, pair.Left.Right, pair.Right))
            .Where(static entry => entry is not null)
            .Collect()
            .Select(static (entries, _) =>
                new EquatableArray<RegistryEntry>(entries.Select(e => e!).OrderBy(e => e.FullName, System.StringComparer.Ordinal)))
            .WithTrackingName(TrackingNames.RegistryEntries);

        var registryTarget = context.CompilationProvider
            .Select(static (compilation, _) => RegistryTargetOf(compilation))
            .WithTrackingName(TrackingNames.RegistryTarget);

        context.RegisterSourceOutput(registryEntries.Combine(flavour).Combine(registryTarget), static (output, pair) =>
        {
            var ((entries, runtime), target) = pair;
            if (target is null || entries.Count == 0) return;
            output.AddSource(RegistryEmitter.HintName, RegistryEmitter.Emit(entries, runtime, target));
        });
    }

    /// <summary>The registry needs the Mnist.Dsl that has its types; with an older one (or none) it is not emitted.</summary>
    private static RegistryTarget? RegistryTargetOf(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Mnist.Dsl.Registry.NetworkRegistryAttribute") is not null
        && compilation.GetTypeByMetadataName("Mnist.Dsl.Registry.INetworkSource") is not null
            ? new RegistryTarget(compilation.AssemblyName ?? "")
            : null;

    /// <summary>
    /// The inference code composes Mnist.Dsl's inference kernels, which only its .NET 8 (and later) build has, with
    /// the weights reader and the interface it implements; elsewhere (netstandard2.0, .NET Framework, an older
    /// Mnist.Dsl) it is not emitted and the rest works as before.
    /// </summary>
    private static bool SupportsInference(Compilation compilation) =>
        Has(compilation, "Mnist.Dsl.Inference.InferenceKernels", "Convolution")
        && Has(compilation, "Mnist.Dsl.Inference.InferenceKernels", "ApplyEpilogue")
        && Has(compilation, "System.Threading.Tasks.Parallel", "For")
        && Has(compilation, "Mnist.Dsl.Inference.SafeTensorsWeights", "ReadFloat32")
        && Has(compilation, "Mnist.Dsl.Inference.INetworkInference", "Classify")
        && ResolvesSpans(compilation);

    /// <summary>
    /// The interface's spans resolve: netstandard2.0 Mnist.Dsl takes them from System.Memory, which a .NET project
    /// references as a facade; a compilation without it could not implement the interface (CS0012).
    /// </summary>
    private static bool ResolvesSpans(Compilation compilation) =>
        compilation.GetTypeByMetadataName("Mnist.Dsl.Inference.INetworkInference")?.GetMembers("Classify").FirstOrDefault() is IMethodSymbol classify
        && classify.Parameters.All(p => p.Type.TypeKind != TypeKind.Error);

    private static bool Has(Compilation compilation, string type, string member) =>
        compilation.GetTypeByMetadataName(type) is { } symbol && !symbol.GetMembers(member).IsEmpty;

    /// <summary>
    /// The trainer is composed on Mnist.Dsl.Engine (its TrainerBlueprint, of the version that composes run-time networks
    /// too: the one whose calls this generator writes); a compilation that does not reference the engine gets none, as
    /// one without TorchSharp gets no module.
    /// </summary>
    private static bool SupportsTrainer(Compilation compilation) => Has(compilation, "Mnist.Dsl.Engine.Composition.TrainerBlueprint", "For");

    /// <summary>Without TorchSharp only the constants, Summary and inference class can be emitted: the module needs it.</summary>
    private static RuntimeFlavour FlavourOf(Compilation compilation) =>
        compilation.GetTypeByMetadataName("TorchSharp.torch+nn") is not null ? RuntimeFlavour.TorchSharp : RuntimeFlavour.None;
}
