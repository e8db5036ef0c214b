using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
using Mnist.Dsl.Registry;

namespace Mnist.Dsl.FSharpCheck;

/// <summary>
/// The MSBuild task behind Mnist.Dsl.targets for F# projects: checks every [Network] type of the compiled assembly
/// with the layer algebra (<see cref="NetworkAnalysis"/>) and logs each broken rule with the C# analyzer's ID and
/// message (the algebra writes the messages; the analyzer's descriptors only wrap them), at the F# attribute at fault,
/// under the budgets kept in the assembly's metadata (<see cref="ResolveFSharpNetworkBudgets"/>); and MNIST0018 across the
/// assembly's networks.
/// </summary>
public sealed class CheckFSharpNetworks : Task
{
    /// <summary>The compiled assembly (obj/, before it is copied to bin/).</summary>
    [Required]
    public string Assembly { get; set; } = "";

    /// <summary>The project's F# sources in compile order, to place diagnostics at the attributes.</summary>
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>$(TreatWarningsAsErrors): MNIST0014 is then an error, as it is for C# under the same property.</summary>
    public bool TreatWarningsAsErrors { get; set; }

    /// <summary>Written (atomically) when the assembly has no error, so that an unchanged assembly is not checked again.</summary>
    public string? StampFile { get; set; }

    public override bool Execute()
    {
        var files = Sources.Select(s => s.GetMetadata("FullPath")).ToArray();
        // The budgets ResolveFSharpNetworkBudgets kept in the assembly, read as the trainer reads them at run time.
        var metadata = CompiledNetworkReader.ReadMetadata(Assembly);
        var networks = CompiledNetworkReader.Read(Assembly);
        foreach (var network in networks)
            Check(network, files, ParameterBudgetMetadata.Undeclared(network.Name, key => metadata.TryGetValue(key, out var value) ? value : null));
        CheckRegistryNames(networks, files);
        if (!Log.HasLoggedErrors && !string.IsNullOrEmpty(StampFile)) WriteStamp(StampFile!);
        return !Log.HasLoggedErrors;
    }

    private void Check(CompiledNetwork network, string[] files, int undeclaredBudget)
    {
        var source = FSharpDeclarationScanner.Find(files, network.Name, network.EnclosingTypes);
        var written = source?.Attributes.Where(a => LayerNames.IsLayerAttribute(a.Name + "Attribute")).ToArray();
        // Positions by index only when the source lists the same layers in the same order as the metadata.
        var layersPlaced = written is not null && written.Select(a => a.Name + "Attribute").SequenceEqual(network.Layers.Select(l => l.Name));
        var networkAttribute = source?.Attributes.FirstOrDefault(a => a.Name == "Network");

        (int Line, int Column) At(SourceAttribute? attribute, CompiledAttribute? compiled, string? argument)
        {
            if (source is null) return (0, 0);
            if (attribute is null) return (source.Line, source.Column);
            var (parameterName, parameterIndex) = compiled is null ? (null, -1) : ConstructorParameter(compiled, argument);
            return source.Argument(attribute, argument, parameterName, parameterIndex) ?? (attribute.Line, attribute.Column);
        }

        if (network.Layers.Count == 0)
        {
            // DiagnosticDescriptors.NoLayers' text (src/Analyzers is Roslyn-bound, so not referenced here);
            // FSharpBuildCheckTests holds the two equal.
            var (line, column) = At(networkAttribute, null, null);
            Report("MNIST0015", false, source?.File, line, column,
                $"{network.Name} has [Network] but no layer attributes; add them after it, for example [Conv2d(8, 3), ReLU, BatchNorm2d]");
            return;
        }
        var definition = CompiledNetworkDefinition.From(network.Name, network.Network, network.Layers, undeclaredBudget);
        if (definition is null) return; // arguments that are not the attribute's: the F# compiler has reported them

        foreach (var violation in NetworkAnalysis.Analyze(definition).Violations)
        {
            var (line, column) = violation.LayerIndex < 0
                ? At(networkAttribute, network.Network, violation.Argument ?? NetworkArgument(violation.Rule))
                : layersPlaced ? At(written![violation.LayerIndex], network.Layers[violation.LayerIndex], violation.Argument)
                    : At(networkAttribute, null, null);
            Report(violation.Id, violation.IsWarning, source?.File, line, column, violation.Message);
        }
    }

    /// <summary>
    /// MNIST0018, as the C# analyzer checks it (<see cref="RegistryNameClashes"/>): a Name declared on [&lt;Network&gt;] that
    /// another network of the assembly has too (ignoring case), reported at that Name = argument.
    /// </summary>
    private void CheckRegistryNames(IReadOnlyList<CompiledNetwork> networks, string[] files)
    {
        var entries = networks.Select(n => NamedString(n.Network, nameof(NetworkAttribute.Name)) is { } declared
            ? new RegistryNameClashes.Entry<CompiledNetwork>(declared, FullName(n), true, n)
            : new RegistryNameClashes.Entry<CompiledNetwork>(n.Name, FullName(n), false, n));
        foreach (var (entry, message) in RegistryNameClashes.Find(entries))
        {
            var network = entry.Tag;
            var source = FSharpDeclarationScanner.Find(files, network.Name, network.EnclosingTypes);
            var attribute = source?.Attributes.FirstOrDefault(a => a.Name == "Network");
            var (line, column) = source is null ? (0, 0)
                : attribute is null ? (source.Line, source.Column)
                : source.Argument(attribute, nameof(NetworkAttribute.Name), null, -1) ?? (attribute.Line, attribute.Column);
            Report("MNIST0018", false, source?.File, line, column, message);
        }
    }

    /// <summary>The type's name with its namespace and enclosing types (F# modules), dotted as the C# analyzer writes it.</summary>
    private static string FullName(CompiledNetwork network) =>
        string.Join(".", new[] { network.Namespace }.Where(n => n.Length > 0).Concat(network.EnclosingTypes).Append(network.Name));

    private static string? NamedString(CompiledAttribute attribute, string name) =>
        attribute.Named.TryGetValue(name, out var value) && value is string text && text.Length > 0 ? text : null;

    /// <summary>
    /// The constructor parameter (name, position) that sets <paramref name="argument"/> (KernelSize is kernelSize), read
    /// from the attribute types of the Mnist.Dsl.dll this task is built with; (null, -1) when none does (a property).
    /// </summary>
    private static (string? Name, int Index) ConstructorParameter(CompiledAttribute attribute, string? argument)
    {
        if (argument is null) return (null, -1);
        var type = typeof(NetworkAttribute).Assembly.GetType(typeof(NetworkAttribute).Namespace + "." + attribute.Name);
        var constructor = type?.GetConstructors().FirstOrDefault(c => c.GetParameters().Length == attribute.Positional.Count);
        var parameter = constructor?.GetParameters().FirstOrDefault(p => string.Equals(p.Name, argument, StringComparison.OrdinalIgnoreCase));
        return parameter is null ? (null, -1) : (parameter.Name, parameter.Position);
    }

    /// <summary>The [Network] argument a network-wide rule is about, as the C# analyzer points at it.</summary>
    private static string? NetworkArgument(Rule rule) => rule switch
    {
        Rule.ParameterBudgetExceeded => "ParameterBudget",
        Rule.MissingBatchNorm or Rule.MissingDropout or Rule.MissingGlobalAvgPool or Rule.MissingFullyConnected => "Requires",
        _ => null,
    };

    private void Report(string id, bool isWarning, string? file, int line, int column, string message)
    {
        if (isWarning && !TreatWarningsAsErrors) Log.LogWarning(null, id, null, file, line, column, 0, 0, message);
        else Log.LogError(null, id, null, file, line, column, 0, 0, message);
    }

    private static void WriteStamp(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, "checked\n");
        File.Move(temporary, path, overwrite: true);
    }
}
