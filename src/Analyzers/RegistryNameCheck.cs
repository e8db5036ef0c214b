using System;
using System.Collections.Concurrent;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Mnist.Dsl.Declarations;
using Mnist.Dsl.Registry;

namespace Mnist.Dsl.Analyzers;

/// <summary>
/// MNIST0018: a name declared with [Network(Name = ...)] is how trainers and classifiers find the network in its
/// assembly's registry (case-insensitively), so it must be the only network of that name there. Collects the registry
/// name of every network the registry lists while the compilation is analysed, and checks them once at its end with
/// the rule and message the F# build check uses too (<see cref="RegistryNameClashes"/>).
/// Networks that only share a class name (two Nets in two namespaces) declared no name: they stay apart by full name.
/// </summary>
internal sealed class RegistryNameCheck
{
    private readonly ConcurrentBag<RegistryNameClashes.Entry<Location?>> _entries = new();

    public static void Register(CompilationStartAnalysisContext context)
    {
        var check = new RegistryNameCheck();
        context.RegisterSymbolAction(check.Collect, SymbolKind.NamedType);
        context.RegisterCompilationEndAction(check.Report);
    }

    private void Collect(SymbolAnalysisContext context)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (NetworkAttributeReader.ReadNetwork(type) is not { } network || !DeclarationRules.IsNameableInItsAssembly(type)) return;
        var declared = !string.IsNullOrEmpty(network.RegistryName);
        var where = network.Attribute.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken)
                is Microsoft.CodeAnalysis.CSharp.Syntax.AttributeSyntax syntax
            ? (syntax.ArgumentList?.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == "Name")
                ?? (SyntaxNode)syntax).GetLocation()
            : type.Locations.FirstOrDefault();
        _entries.Add(new RegistryNameClashes.Entry<Location?>(declared ? network.RegistryName! : type.Name, type.ToDisplayString(), declared, where));
    }

    private void Report(CompilationAnalysisContext context)
    {
        foreach (var (entry, message) in RegistryNameClashes.Find(_entries))
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.DuplicateRegistryName, entry.Tag, message));
    }
}
