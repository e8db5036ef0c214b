using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Declarations;

namespace Mnist.Dsl.Analyzers;

/// <summary>
/// Checks every [Network] class: the declaration is one the generator can complete, and the network keeps
/// its parameter budget, has the required layers and has shapes that work. The checks themselves are the
/// layer algebra's (Mnist.Dsl.Analysis); this class only places them on the attribute or argument at fault.
/// Registry names are checked across the compilation by <see cref="RegistryNameCheck"/>.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NetworkAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => DiagnosticDescriptors.All;

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterSymbolAction(AnalyzeType, SymbolKind.NamedType);
        context.RegisterCompilationStartAction(RegistryNameCheck.Register);
    }

    private static void AnalyzeType(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        var network = NetworkAttributeReader.ReadNetwork(type);
        if (network is null) return;
        var where = AttributeLocation(network.Attribute) ?? type.Locations.FirstOrDefault();
        var identifier = type.Locations.FirstOrDefault();

        // The generator's rules (DeclarationRules): a declaration they reject gets no code, and its diagnostic here.
        var (problem, at) = DeclarationRules.Check(type);
        switch (problem)
        {
            case DeclarationProblem.NotAClass:
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotAClass, identifier, type.Name));
                return;
            case DeclarationProblem.PrimaryConstructor:
                context.ReportDiagnostic(
                    Diagnostic.Create(DiagnosticDescriptors.PrimaryConstructor, NetworkAttributeReader.PrimaryConstructor(type)!.GetLocation(),
                        type.Name));
                return;
            case DeclarationProblem.Generic:
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.Generic, identifier, type.Name));
                return;
            case DeclarationProblem.NotPartial:
                // The rules are still checked: the user sees everything to fix at once.
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NotPartial, at.Locations.FirstOrDefault(), at.Name));
                break;
            case DeclarationProblem.FileLocal:
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.FileLocal, at.Locations.FirstOrDefault(), at.Name));
                return;
            case DeclarationProblem.CompilerError:
                return; // the compiler's own error says what is wrong
        }

        var layers = NetworkAttributeReader.ReadLayers(type);
        if (layers is null) return; // an attribute the compiler could not bind: its own error is already reported
        if (layers.Count == 0)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.NoLayers, where, type.Name));
            return;
        }

        var tree = network.Attribute.ApplicationSyntaxReference?.SyntaxTree;
        var budget = ParameterBudgetSettings.Resolve(network.ParameterBudget, tree, context.Options.AnalyzerConfigOptionsProvider);
        var definition = new NetworkDefinition(type.Name, network.Channels, network.Height, network.Width,
            layers.Select(l => l.Layer), network.Classes, budget, network.Requires);
        foreach (var violation in NetworkAnalysis.Analyze(definition).Violations)
        {
            var location = violation.LayerIndex < 0
                ? ArgumentLocation(network.Attribute, violation.Argument) ?? NetworkArgumentLocation(network.Attribute, violation.Rule) ?? where
                : ArgumentLocation(layers[violation.LayerIndex].Attribute, violation.Argument)
                    ?? AttributeLocation(layers[violation.LayerIndex].Attribute) ?? where;
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.For(violation.Rule), location, violation.Message));
        }
    }

    private static Location? AttributeLocation(AttributeData attribute) =>
        attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation();

    /// <summary>The budget error points at ParameterBudget = N when the attribute sets it, and at Classes for the output rule.</summary>
    private static Location? NetworkArgumentLocation(AttributeData attribute, Rule rule) => rule switch
    {
        Rule.ParameterBudgetExceeded => ArgumentLocation(attribute, "ParameterBudget"),
        Rule.MissingBatchNorm or Rule.MissingDropout or Rule.MissingGlobalAvgPool or Rule.MissingFullyConnected =>
            ArgumentLocation(attribute, "Requires"),
        _ => null,
    };

    /// <summary>The argument that sets <paramref name="name"/>: a named one (Stride = 2) or the constructor's positional one.</summary>
    private static Location? ArgumentLocation(AttributeData attribute, string? name)
    {
        if (name is null || attribute.ApplicationSyntaxReference?.GetSyntax() is not AttributeSyntax { ArgumentList: { } list }) return null;
        var named = list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name);
        if (named is not null) return named.GetLocation();
        var parameters = attribute.AttributeConstructor?.Parameters ?? ImmutableArray<IParameterSymbol>.Empty;
        var parameter = parameters.FirstOrDefault(p => string.Equals(p.Name, name, System.StringComparison.OrdinalIgnoreCase));
        // A constructor argument given by name (kernelSize: 30) can sit anywhere in the list.
        var byName = parameter is null ? null : list.Arguments.FirstOrDefault(a => a.NameColon?.Name.Identifier.ValueText == parameter.Name);
        if (byName is not null) return byName.GetLocation();
        var index = parameter is null ? -1 : parameters.IndexOf(parameter);
        // before any named-colon argument out of place, positions match parameters
        var positional = list.Arguments.Where(a => a.NameEquals is null).ToList();
        return index >= 0 && index < positional.Count ? positional[index].GetLocation() : null;
    }
}
