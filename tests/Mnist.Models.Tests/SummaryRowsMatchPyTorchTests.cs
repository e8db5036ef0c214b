using System.Linq;
using Xunit;

namespace Mnist.Models.Tests;

/// <summary>
/// The TorchSharp module itself, not the layer algebra: its registered layers, in order, are the rows of the
/// PyTorch twin's torchsummary table (class and index, as torchsummary names a row), each with that row's
/// parameter count, and its parameters() hold the table's total. (The algebra's whole table, shapes and MB lines
/// included, is compared with PyTorch's by the generator tests' SeedTablesMatchPyTorchTests; the output shapes
/// of real TorchSharp modules by their property test.)
/// </summary>
public class SummaryRowsMatchPyTorchTests
{
    [Theory]
    [MemberData(nameof(SampleModels.Names), MemberType = typeof(SampleModels))]
    public void The_modules_layers_and_parameters_are_the_rows_of_PyTorchs_table(string network)
    {
        var table = PyTorchTables.Of(network);
        using var module = SampleModels.Create[network]();

        // The class, not GetName(): TorchSharp 0.107's BatchNorm2d gives its base the name "BatchNorm1d".
        var ours = module.named_children()
            .Select((child, i) => $"{child.module.GetType().Name}-{i + 1} {child.module.parameters().Sum(p => p.numel())}");
        var theirs = table.Rows.Select(r => $"{r.Name} {r.Parameters}");

        Assert.Equal(string.Join("\n", theirs), string.Join("\n", ours));
        Assert.Equal(table.TotalParameters, module.parameters().Sum(p => p.numel()));
    }
}
