using Microsoft.CodeAnalysis;
using Mnist.Dsl.Generator.Emitting;
using Mnist.Dsl.Generator.Emitting.Inference;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Generator.Parsing;

namespace Mnist.Dsl.Generator;

/// <summary>
/// For every class marked [Network], emits its module code, and its inference class (&lt;Name&gt;Inference: the
/// forward pass in plain C#, see <see cref="InferenceEmitter"/>) when the compilation has what that code needs.
/// The pipeline carries only equatable values (<see cref="NetworkSpec"/>, <see cref="RuntimeFlavour"/>, a
/// bool), so an edit that does not change a network does not re-emit it.
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

        var flavour = context.CompilationProvider
            .Select(static (compilation, _) => FlavourOf(compilation))
            .WithTrackingName(TrackingNames.Flavour);

        var toEmit = networks.Combine(flavour).WithTrackingName(TrackingNames.NetworksWithFlavour);

        context.RegisterSourceOutput(toEmit, static (output, pair) =>
            output.AddSource(pair.Left.HintName, NetworkEmitter.Emit(pair.Left, pair.Right)));

        var inferenceSupport = context.CompilationProvider
            .Select(static (compilation, _) => SupportsInference(compilation))
            .WithTrackingName(TrackingNames.InferenceSupport);

        var inference = networks.Combine(inferenceSupport).WithTrackingName(TrackingNames.NetworksWithInferenceSupport);

        context.RegisterSourceOutput(inference, static (output, pair) =>
        {
            if (!pair.Right || pair.Left.InferenceNameTaken) return;
            if (InferenceEmitter.Emit(pair.Left) is { } source) output.AddSource(pair.Left.InferenceHintName, source);
        });
    }

    /// <summary>
    /// The inference code needs .NET 7 or later (Vector256's portable API, MemoryMarshal.GetArrayDataReference,
    /// MathF.FusedMultiplyAdd) and the Mnist.Dsl that has the weights reader; elsewhere (netstandard2.0, .NET
    /// Framework) it is not emitted and the rest works as before.
    /// </summary>
    private static bool SupportsInference(Compilation compilation) =>
        Has(compilation, "System.Runtime.Intrinsics.Vector256", "LoadUnsafe")
        && Has(compilation, "System.Runtime.Intrinsics.X86.Fma", "MultiplyAdd")
        && Has(compilation, "System.Runtime.InteropServices.MemoryMarshal", "GetArrayDataReference")
        && Has(compilation, "System.MathF", "FusedMultiplyAdd")
        && Has(compilation, "System.Threading.Tasks.Parallel", "For")
        && Has(compilation, "Mnist.Dsl.Inference.SafeTensorsWeights", "ReadFloat32");

    private static bool Has(Compilation compilation, string type, string member) =>
        compilation.GetTypeByMetadataName(type) is { } symbol && !symbol.GetMembers(member).IsEmpty;

    /// <summary>Without TorchSharp only the constants, Summary and inference class can be emitted: the module needs it.</summary>
    private static RuntimeFlavour FlavourOf(Compilation compilation) =>
        compilation.GetTypeByMetadataName("TorchSharp.torch+nn") is not null ? RuntimeFlavour.TorchSharp : RuntimeFlavour.None;
}
