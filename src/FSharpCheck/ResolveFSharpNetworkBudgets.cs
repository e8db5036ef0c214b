using System.Globalization;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Mnist.Dsl.FSharpCheck;

/// <summary>
/// The MSBuild task that runs before an F# project's assembly attributes are generated: resolves its networks' parameter
/// budgets as the C# analyzer does (<see cref="FSharpBudgetResolver"/>) and returns them as AssemblyMetadata items
/// (<see cref="ParameterBudgetMetadata"/>'s keys), which the SDK compiles into the assembly. The check after the compiler
/// (<see cref="CheckFSharpNetworks"/>) and the trainer at run time read them from there, so both apply the same budgets.
/// </summary>
public sealed class ResolveFSharpNetworkBudgets : Task
{
    /// <summary>The project's F# sources.</summary>
    public ITaskItem[] Sources { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>The .editorconfig and .globalconfig files found as the C# build finds them (Microsoft.Managed.Core.targets).</summary>
    public ITaskItem[] ConfigFiles { get; set; } = Array.Empty<ITaskItem>();

    /// <summary>$(MnistDslParameterBudget).</summary>
    public string? ProjectBudget { get; set; }

    /// <summary>AssemblyMetadata items: the key as the item, the budget as its Value.</summary>
    [Output]
    public ITaskItem[] Metadata { get; private set; } = Array.Empty<ITaskItem>();

    public override bool Execute()
    {
        var budgets = FSharpBudgetResolver.Resolve(
            Sources.Select(s => s.GetMetadata("FullPath")).ToArray(), ConfigFiles.Select(c => c.GetMetadata("FullPath")).ToArray(), ProjectBudget);
        foreach (var conflict in budgets.Conflicts)
            Log.LogError(null, null, null, conflict.File, conflict.Line, conflict.Column, 0, 0, conflict.Message);
        var items = new List<ITaskItem>();
        if (budgets.Project is { } project) items.Add(Item(ParameterBudgetMetadata.ProjectKey, project));
        items.AddRange(budgets.Networks.OrderBy(n => n.Key, StringComparer.Ordinal)
            .Select(n => Item(ParameterBudgetMetadata.NetworkKey(n.Key), n.Value)));
        Metadata = items.ToArray();
        return !Log.HasLoggedErrors;
    }

    private static ITaskItem Item(string key, int budget)
    {
        var item = new TaskItem(key);
        item.SetMetadata("Value", budget.ToString(CultureInfo.InvariantCulture));
        return item;
    }
}
