using System.Globalization;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>
/// Writes the rest of a [Network] partial class: a Module&lt;Tensor, Tensor&gt; whose layers are fields
/// registered by explicit calls (state-dict keys conv1.weight, bn1.running_mean, ...), its forward, the
/// compile-time summary as constants, an XML doc table and a static <c>Summary</c>. Text only: every number and
/// name comes from the <see cref="NetworkPlan"/>, what each layer kind writes from its own description (its
/// <see cref="Layer"/> record's module, functional call and construction, rendered by <see cref="Code.Call"/>).
/// </summary>
internal static class NetworkEmitter
{
    public static string Emit(NetworkPlan plan, RuntimeFlavour flavour)
    {
        var spec = plan.Spec;
        var w = new SourceWriter();
        GeneratedFile.WriteHeader(w, " from the [Network] and layer attributes of " + spec.Type.Name + ".");
        WriteUsings(w, flavour, plan.HasModules);
        GeneratedFile.OpenEnclosing(w, spec);

        WriteDocComment(w, plan);
        // Without a runtime the generated part has static members only, and the latest analysis level asks the user to
        // make the class static (CA1052; CA1812 when internal), which a [Network] cannot be (MNIST0016): the class is
        // what a runtime's module is generated into.
        if (flavour == RuntimeFlavour.None)
        {
            w.Line("[global::System.Diagnostics.CodeAnalysis.SuppressMessage(\"Design\", " +
                "\"CA1052:Static holder types should be Static or NotInheritable\", Justification = \"A [Network] class gets its module when the " +
                "project references a runtime\")]");
            w.Line("[global::System.Diagnostics.CodeAnalysis.SuppressMessage(\"Performance\", \"CA1812:Avoid uninstantiated internal classes\", " +
                "Justification = \"A [Network] class gets its module when the project references a runtime\")]");
        }
        var baseList = flavour == RuntimeFlavour.None ? "" : " : nn.Module<Tensor, Tensor>";
        w.Open($"partial {spec.Type.Keyword} {Identifier(spec.Type.Name)}{baseList}");
        WriteConstants(w, plan);
        if (flavour != RuntimeFlavour.None)
        {
            WriteFields(w, plan);
            WriteConstructor(w, plan);
            WriteForward(w, plan);
        }
        w.Close();

        GeneratedFile.CloseEnclosing(w, spec);
        return w.ToString();
    }

    /// <summary>
    /// The Modules alias only when a field uses it: an all-functional network would otherwise get CS8019 (unnecessary
    /// using). The alias nn reads as TorchSharp and PyTorch code do, but a lower-case alias is warning CS8981 at the
    /// SDK's default warning level, an error in a user's -warnaserror build: disabled for that one line.
    /// </summary>
    private static void WriteUsings(SourceWriter w, RuntimeFlavour flavour, bool hasModules)
    {
        if (flavour != RuntimeFlavour.TorchSharp) return;
        w.Line("using Tensor = global::TorchSharp.torch.Tensor;");
        w.Line("#pragma warning disable CS8981 // a lower-case alias, as in TorchSharp and PyTorch code");
        w.Line("using nn = global::TorchSharp.torch.nn;");
        w.Line("#pragma warning restore CS8981");
        if (hasModules) w.Line("using Modules = global::TorchSharp.Modules;");
        w.Line();
    }

    /// <summary>
    /// The type's doc comment, written for how editors merge and render it (docs/editor.md). Roslyn joins the doc
    /// comments of all parts of a partial type, the user's part first; Roslyn's own Quick Info (Visual Studio, the C#
    /// extension) keeps only the first &lt;summary&gt; and the first &lt;remarks&gt;; csharp-ls renders every summary, joined
    /// by one line break (one Markdown paragraph), then each remarks as "Remarks: " and its text. So the facts are written
    /// once: as the summary when the user wrote none, else at the head of the remarks (a paragraph of their own below the
    /// user's summary in both editors). The remarks open with text, not a &lt;para&gt; (which csharp-ls would put after
    /// "Remarks: " on a line of its own), and an empty &lt;para/&gt; puts the table's code fence on a line of its own.
    /// </summary>
    private static void WriteDocComment(SourceWriter w, NetworkPlan plan)
    {
        var summary = plan.Summary;
        var facts = Xml(string.Format(CultureInfo.InvariantCulture,
            "{0}: {1:N0} parameters, output {2}, receptive field {3}×{3}, {4:N0} multiply-adds per image (computed at compile time).",
            plan.Spec.Type.Name, summary.TotalParameters, ModuleOutput(plan), summary.ReceptiveField, summary.MultiplyAdds));
        const string table = "Layers as torchsummary prints them (Summary.ToTable()):";
        if (!plan.Spec.HasOwnSummary) w.Line("/// <summary>" + facts + "</summary>");
        w.Line("/// <remarks>");
        w.Line("/// " + (plan.Spec.HasOwnSummary ? facts + " " + table : table) + "<para/>");
        w.Line("/// <code>");
        foreach (var line in summary.ToTable().Split('\n')) w.Line("/// " + Xml(line.TrimEnd('\r')));
        w.Line("/// </code>");
        // A network of stateless layers only has no keys: say so rather than print an empty list.
        w.Line("/// <para>" + (plan.StateKeys.Count == 0 ? "State-dict keys: none (no layer has parameters or buffers)." : "State-dict keys: "
            + Xml(string.Join(", ", plan.StateKeys)) + ".") + "</para>");
        w.Line("/// </remarks>");
    }

    private static void WriteConstants(SourceWriter w, NetworkPlan plan)
    {
        var spec = plan.Spec;
        // The value in the text too: hovering a use of the constant then shows the number, not only its meaning.
        w.Line($"/// <summary>Trainable parameters, computed at compile time: " +
            $"{plan.Summary.TotalParameters.ToString("N0", CultureInfo.InvariantCulture)}.</summary>");
        w.Line($"public const long ParameterCount = {Int(plan.Summary.TotalParameters)};");
        w.Line();
        w.Line($"/// <summary>Side of the square of input pixels one output sees, computed at compile time: " +
            $"{Int(plan.Summary.ReceptiveField)}.</summary>");
        w.Line($"public const int ReceptiveField = {Int(plan.Summary.ReceptiveField)};");
        w.Line();
        w.Line("/// <summary>The declaration as data: input, classes, budget and layers in order.</summary>");
        w.Line("public static global::Mnist.Dsl.Analysis.NetworkDefinition Definition { get; } = new global::Mnist.Dsl.Analysis.NetworkDefinition(");
        w.Line($"    \"{spec.Type.Name}\", {Int(spec.Channels)}, {Int(spec.Height)}, {Int(spec.Width)},");
        w.Line("    new global::Mnist.Dsl.Layers.Layer[]");
        w.Line("    {");
        foreach (var layer in plan.Layers) w.Line($"        new global::Mnist.Dsl.Layers.{Code.Call(layer.Layer.Construction())},");
        w.Line("    },");
        w.Line($"    {Int(spec.Classes)}, {Int(plan.ParameterBudget)}, {RequiredLayers(spec.Requires)});");
        w.Line();
        w.Line("/// <summary>Per-layer shapes, parameters, receptive field and MACs, and the torchsummary table (ToTable()).</summary>");
        w.Line("public static global::Mnist.Dsl.Analysis.NetworkSummary Summary { get; } = " +
            "global::Mnist.Dsl.Analysis.NetworkAnalysis.Analyze(Definition).Summary!;");
    }

    private static void WriteFields(SourceWriter w, NetworkPlan plan)
    {
        w.Line();
        foreach (var layer in plan.Layers)
            if (layer.MemberName is { } name) w.Line($"private readonly Modules.{layer.Layer.ModuleName} {name};");
    }

    private static void WriteConstructor(SourceWriter w, NetworkPlan plan)
    {
        w.Line();
        // Documented, as every public member generated into a user's type: a project with GenerateDocumentationFile
        // would otherwise get CS1591 from generated code.
        w.Line("/// <summary>Creates the layers, each registered under its state-dict name, with TorchSharp's default initialisation.</summary>");
        w.Open($"public {Identifier(plan.Spec.Type.Name)}() : base(\"{plan.Spec.Type.Name}\")");
        foreach (var layer in plan.Layers)
        {
            if (layer.MemberName is not { } name) continue;
            w.Line($"{name} = {Code.Call(layer.Layer.TorchModule(layer.Report.Input))};");
            w.Line($"register_module(\"{name}\", {name});");
        }
        w.Close();
    }

    private static void WriteForward(SourceWriter w, NetworkPlan plan)
    {
        w.Line();
        w.Line("/// <summary>Applies the layers in declaration order to a batch of inputs.</summary>");
        w.Line("/// <param name=\"input\">A batch shaped [N, " + Xml(string.Join(", ", plan.Spec.Channels, plan.Spec.Height, plan.Spec.Width))
            + "].</param>");
        w.Line("/// <returns>The output, shaped " + Xml(ModuleOutput(plan).ToString().Replace("[-1, ", "[N, ")) + ".</returns>");
        w.Open("public override Tensor forward(Tensor input)");
        w.Line("var x = input;");
        foreach (var layer in plan.Layers)
        {
            // A [C, 1, 1] map feeds a Linear as a [C] vector, as notebooks do with x.view(-1, C).
            if (layer.Kind == LayerKind.Linear && layer.Report.Input.IsPointMap) w.Line("x = x.flatten(1);");
            w.Line(layer.MemberName is { } name ? $"x = {name}.call(x);" : $"x = {FunctionalCall(layer)};");
        }
        if (plan.Summary.Output.IsPointMap) w.Line("x = x.flatten(1);");
        w.Line("return x;");
        w.Close();
    }

    /// <summary>What forward returns: the last layer's output, a [C, 1, 1] map flattened to [C] as forward does.</summary>
    private static Analysis.Shape ModuleOutput(NetworkPlan plan) =>
        plan.Summary.Output.IsPointMap ? Analysis.Shape.Flat(plan.Summary.Output.Channels) : plan.Summary.Output;

    private static string FunctionalCall(LayerPlan layer) =>
        layer.Layer.TorchFunctional is { } call ? Code.Call(call)
            : throw new System.InvalidOperationException($"{layer.Kind} has state and is never applied as a functional call");

    private static string RequiredLayers(RequiredLayers value)
    {
        if (value == Dsl.RequiredLayers.All || value == Dsl.RequiredLayers.None) return "global::Mnist.Dsl.RequiredLayers." + value;
        var flags = new[] { Dsl.RequiredLayers.BatchNorm, Dsl.RequiredLayers.Dropout, Dsl.RequiredLayers.GlobalAvgPool,
            Dsl.RequiredLayers.FullyConnected }
            .Where(f => (value & f) != 0).Select(f => "global::Mnist.Dsl.RequiredLayers." + f);
        var known = string.Join(" | ", flags);
        return known.Length > 0 && ((int)value & ~(int)Dsl.RequiredLayers.All) == 0 ? known : $"(global::Mnist.Dsl.RequiredLayers)({(int)value})";
    }

    private static string Identifier(string name) => Code.Identifier(name);

    private static string Int(long value) => Code.Int(value);

    private static string Xml(string text) => Code.Xml(text);
}
