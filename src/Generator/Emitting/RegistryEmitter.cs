using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mnist.Dsl.Generator.Model;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// Writes the compilation's network registry: one internal type listing every [Network] class that code outside
/// it can name (registry name, full name, type, Definition, Summary, a module factory when a torch runtime is referenced,
/// an inference loader when the inference class was emitted, a trainer factory when the trainer was), and the assembly attribute that points
/// Mnist.Dsl.Registry.NetworkRegistry.Of(assembly) at it. Its name carries the assembly's, so two assemblies that
/// see each other's internals (InternalsVisibleTo) do not get two types of one name.
/// </summary>
internal static class RegistryEmitter
{
    public const string HintName = "Mnist.Dsl.NetworkRegistry.g.cs";

    private const string Registry = "global::Mnist.Dsl.Registry";

    public static string Emit(IReadOnlyList<RegistryEntry> entries, RuntimeFlavour flavour, RegistryTarget target)
    {
        var typeName = TypeName(target.AssemblyName);
        var w = new SourceWriter();
        GeneratedFile.WriteHeader(w, ": the [Network] classes of this assembly, for Mnist.Dsl.Registry.NetworkRegistry.Of(assembly).");
        w.Line($"[assembly: {Registry}.NetworkRegistryAttribute(typeof(global::Mnist.Dsl.Generated.{typeName}))]");
        w.Line();
        w.Line("namespace Mnist.Dsl.Generated;");
        w.Line();
        w.Line("/// <summary>");
        w.Line("/// The networks of this assembly, each once, by full name. Networks nested as private or protected are not listed:");
        w.Line("/// code outside their class cannot name them.");
        w.Line("/// </summary>");
        w.Open($"internal sealed class {typeName} : {Registry}.INetworkSource");
        w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Registry}.RegisteredNetwork> Networks {{ get; }} = new {Registry}.RegisteredNetwork[]");
        w.Line("{");
        foreach (var entry in entries)
        {
            var type = TypeExpression(entry, entry.Name);
            var module = flavour == RuntimeFlavour.None ? "null" : $"() => new {type}()";
            var inference = entry.InferenceName is { } name ? $"(stream, source) => {TypeExpression(entry, name)}.Load(stream, source)" : "null";
            w.Line($"    new {Registry}.RegisteredNetwork({Code.String(entry.RegistryName)}, \"{entry.FullName}\", typeof({type}), {type}.Definition, {type}.Summary,");
            var trainer = entry.HasTrainer ? $"options => {type}.Trainer.Create((global::Mnist.Dsl.Engine.Trainers.TrainerOptions)options)" : "null";
            var extra = entry.HasTrainer ? $", {trainer}" : entry.NoTrainerReason is { } reason ? $", null, {Code.String(reason)}" : "";
            w.Line($"        {module}, {inference}, {Code.String(entry.Description)}{extra}),");
        }
        w.Line("};");
        w.Close();
        return w.ToString();
    }

    /// <summary>global::Namespace.Outer.Name, each part a valid identifier (@class for a keyword).</summary>
    private static string TypeExpression(RegistryEntry entry, string name)
    {
        var parts = (entry.Namespace?.Split('.') ?? new string[0]).Concat(entry.ContainingTypes.Select(t => t.Name)).Append(name);
        return "global::" + string.Join(".", parts.Select(Code.Identifier));
    }

    /// <summary>Networks_ and the assembly's name with every character an identifier cannot hold replaced by '_'.</summary>
    private static string TypeName(string assemblyName)
    {
        var name = new StringBuilder("Networks_");
        foreach (var c in assemblyName) name.Append(char.IsLetterOrDigit(c) || c == '_' ? c : '_');
        return name.ToString();
    }
}
