using Microsoft.CodeAnalysis;
using Mnist.Dsl.Generator.Emitting;
using Mnist.Dsl.Generator.Model;
using Mnist.Dsl.Generator.Parsing;

namespace Mnist.Dsl.Generator;

/// <summary>
/// For every class marked [Network], emits its module code. The pipeline carries only equatable values
/// (<see cref="NetworkSpec"/>, <see cref="RuntimeFlavour"/>), so an edit that does not change a network
/// does not re-emit it.
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
    }

    /// <summary>The real TorchSharp wins when both are referenced: a user who adds it wants it.</summary>
    private static RuntimeFlavour FlavourOf(Compilation compilation) =>
        compilation.GetTypeByMetadataName("TorchSharp.torch+nn") is not null ? RuntimeFlavour.TorchSharp
        : compilation.GetTypeByMetadataName("Mnist.Torch.torch+nn") is not null ? RuntimeFlavour.MnistTorch
        : RuntimeFlavour.None;
}
