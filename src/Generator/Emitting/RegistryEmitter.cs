using System.Text;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// Writes the compilation's network registry: one internal type listing every [Network] class that code outside
/// it can name (registry name, full name, type, Definition, Summary, a module factory when a torch runtime is referenced,
/// an inference loader when the inference class was emitted, a trainer factory when the trainer was), each through the
/// narrow typed API of Mnist.Dsl.Registry (RegisteredNetwork.Create and NetworkRegistration), and the assembly attribute that points
/// Mnist.Dsl.Registry.NetworkRegistry.Of(assembly) at it. Its name carries the assembly's, so two assemblies that
/// see each other's internals (InternalsVisibleTo) do not get two types of one name.
/// </summary>
internal static class RegistryEmitter
{
    public const string HintName = "Mnist.Dsl.NetworkRegistry.g.cs";

    private const string Registry = "global::Mnist.Dsl.Registry";
    private const string Engine = "global::Mnist.Dsl.Engine.Trainers";

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
        w.Line($"public global::System.Collections.Generic.IReadOnlyList<{Registry}.RegisteredNetwork> Networks " +
            $"{{ get; }} = new {Registry}.RegisteredNetwork[]");
        w.Line("{");
        foreach (var entry in entries) WriteEntry(w, entry, flavour);
        w.Line("};");
        w.Close();
        return w.ToString();
    }

    /// <summary>
    /// One entry: RegisteredNetwork.Create with the registration's properties by name, and with the engine, its generic
    /// overload with the trainer factory as a method group typed by the engine's options and trainer.
    /// </summary>
    private static void WriteEntry(SourceWriter w, RegistryEntry entry, RuntimeFlavour flavour)
    {
        var type = TypeExpression(entry, entry.Name);
        var create = entry.HasTrainer ? $"Create<{Engine}.TrainerOptions, {Engine}.ITrainer>" : "Create";
        w.Line($"    {Registry}.RegisteredNetwork.{create}(new {Registry}.NetworkRegistration");
        w.Line("    {");
        w.Line($"        Name = {Code.String(entry.RegistryName)},");
        w.Line($"        FullName = {Code.String(entry.FullName)},");
        w.Line($"        Type = typeof({type}),");
        w.Line($"        Definition = {type}.Definition,");
        w.Line($"        Summary = {type}.Summary,");
        w.Line($"        Description = {Code.String(entry.Description)},");
        if (flavour != RuntimeFlavour.None) w.Line($"        CreateModule = () => new {type}(),");
        if (entry.InferenceName is { } name)
            w.Line($"        LoadInference = (stream, source) => {TypeExpression(entry, name)}.Load(stream, source),");
        if (!entry.HasTrainer && entry.NoTrainerReason is { } reason) w.Line($"        NoTrainerReason = {Code.String(reason)},");
        w.Line(entry.HasTrainer ? $"    }}, createTrainer: {type}.Trainer.Create)," : "    }),");
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
