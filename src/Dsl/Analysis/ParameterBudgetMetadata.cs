namespace Mnist.Dsl.Analysis;

/// <summary>
/// The parameter budgets an assembly without generated code (F#) carries as [assembly: AssemblyMetadata] entries, written
/// by the Mnist.Dsl package's build from the same sources the C# analyzer reads (ParameterBudgetSettings): per network,
/// <c>mnist_dsl.parameter_budget</c> in .editorconfig for the file that declares it; for the project, the key in a global
/// analyzer config, else &lt;MnistDslParameterBudget&gt;. The F# build check and the trainer's run-time discovery both read
/// them here, so the run applies the budget the build checked.
/// </summary>
public static class ParameterBudgetMetadata
{
    /// <summary>The project's budget: what a network gets when neither its [Network] nor its file sets one.</summary>
    public const string ProjectKey = "MnistDslParameterBudget";

    /// <summary>The budget .editorconfig sets for the file that declares the network type <paramref name="typeName"/>.</summary>
    public static string NetworkKey(string typeName) => ProjectKey + ":" + typeName;

    /// <summary>
    /// The budget of network type <paramref name="typeName"/> when its [Network] sets none: its file's, else the project's,
    /// else 20,000. <paramref name="metadata"/> gives an AssemblyMetadata value by key (null when absent).
    /// </summary>
    public static int Undeclared(string typeName, Func<string, string?> metadata)
    {
        if (metadata is null) throw new ArgumentNullException(nameof(metadata));
        return TryParse(metadata(NetworkKey(typeName)), out var file) ? file
            : TryParse(metadata(ProjectKey), out var project) ? project
            : NetworkDefinition.DefaultParameterBudget;
    }

    /// <summary>
    /// A budget setting as the C# side reads it (ParameterBudgetSettings): digits with optional _ or , separators, positive.
    /// Anything else (0, -5, "lots", empty) is no setting, and the next source down applies.
    /// </summary>
    public static bool TryParse(string? text, out int value)
    {
        value = 0;
        return text is not null
            && int.TryParse(text.Replace("_", "").Replace(",", ""), NumberStyles.Integer, CultureInfo.InvariantCulture, out value)
            && value > 0;
    }
}
