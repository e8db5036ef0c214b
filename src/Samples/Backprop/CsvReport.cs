using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using Mnist.Dsl.Training.Serialization;

namespace Backprop;

/// <summary>
/// The sweep as one long ("tidy") CSV: a learning_rate column, then the sheet's columns, one row per
/// iteration per learning rate. Long rather than wide, so any tool can filter or pivot by learning rate
/// without knowing how many there are. Numbers are invariant-culture round-trip ("R"): reading the file
/// back gives the exact doubles.
/// </summary>
public static class CsvReport
{
    public static string Render(IReadOnlyList<Trajectory> trajectories)
    {
        var text = new StringBuilder();
        text.Append("learning_rate,").AppendJoin(',', SheetColumns.All.Select(c => c.Name)).Append('\n');
        foreach (var trajectory in trajectories)
            foreach (var row in trajectory.Iterations)
            {
                text.Append(Number(trajectory.LearningRate));
                foreach (var column in SheetColumns.All) text.Append(',').Append(Number(column.Value(row)));
                text.Append('\n');
            }
        return text.ToString();
    }

    public static void Write(string path, IReadOnlyList<Trajectory> trajectories) => AtomicFile.WriteAllText(path, Render(trajectories));

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);
}
