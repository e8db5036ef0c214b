using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Mnist.Dsl.Declarations;

/// <summary>What is wrong with a [Network] declaration, if anything, in the order the checks run.</summary>
internal enum DeclarationProblem
{
    None,

    /// <summary>Not a plain class: a struct, interface, record, static or abstract class (MNIST0016).</summary>
    NotAClass,

    /// <summary>class Net(...): the generated parameterless constructor would collide with it (MNIST0017).</summary>
    PrimaryConstructor,

    /// <summary>The class or a type around it is generic (MNIST0013).</summary>
    Generic,

    /// <summary>The class or a type around it is not partial (MNIST0012).</summary>
    NotPartial,

    /// <summary>
    /// The class or a type around it is declared file (MNIST0019): a file-local type cannot be completed from the
    /// generated file, where its name means a different type or none.
    /// </summary>
    FileLocal,

    /// <summary>
    /// A compile error the user already sees, which generated code would only repeat: a class named like the type
    /// it is nested in (CS0542), or a name the parser lost recovering from a syntax error. No diagnostic of ours.
    /// </summary>
    CompilerError,
}

/// <summary>
/// The rules for a declaration the generator can complete, in one place: the analyzer reports the problem these
/// find, the generator emits nothing for a declaration that has one, so the two cannot disagree about which
/// declarations are valid.
/// </summary>
internal static class DeclarationRules
{
    /// <summary>The first problem of the declaration and the type at fault (the class, or the type around it that is
    /// generic or not partial).</summary>
    public static (DeclarationProblem Problem, INamedTypeSymbol At) Check(INamedTypeSymbol type)
    {
        // A record is a class to the symbol model, but the generator only completes class declarations.
        if (type.TypeKind != TypeKind.Class || type.IsStatic || type.IsAbstract || type.IsRecord) return (DeclarationProblem.NotAClass, type);
        if (NetworkAttributeReader.PrimaryConstructor(type) is not null) return (DeclarationProblem.PrimaryConstructor, type);
        for (var t = type; t is not null; t = t.ContainingType)
            if (t.IsGenericType) return (DeclarationProblem.Generic, type);
        for (var t = type; t is not null; t = t.ContainingType)
            if (!NetworkAttributeReader.IsPartial(t)) return (DeclarationProblem.NotPartial, t);
        for (var t = type; t is not null; t = t.ContainingType)
            if (NetworkAttributeReader.IsFileLocal(t)) return (DeclarationProblem.FileLocal, t);
        if (type.ContainingType?.Name == type.Name || !HasNames(type)) return (DeclarationProblem.CompilerError, type);
        return (DeclarationProblem.None, type);
    }

    /// <summary>
    /// The type, the types around it and its namespace all have names. A declaration the parser recovered from a
    /// syntax error (namespace (Fuzz;) can have a missing one, and code emitted for it would not compile.
    /// </summary>
    private static bool HasNames(INamedTypeSymbol type)
    {
        for (var ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            if (!SyntaxFacts.IsValidIdentifier(ns.Name)) return false;
        for (var t = type; t is not null; t = t.ContainingType)
            if (!SyntaxFacts.IsValidIdentifier(t.Name)) return false;
        return true;
    }

    /// <summary>
    /// Code outside the network's own types can name it: it and every type around it are public or internal. The
    /// generated registry lists only these; a private or protected nested network cannot be named from there.
    /// </summary>
    public static bool IsNameableInItsAssembly(INamedTypeSymbol type)
    {
        for (var t = type; t is not null; t = t.ContainingType)
            if (t.DeclaredAccessibility is not (Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal)) return false;
        return true;
    }
}
