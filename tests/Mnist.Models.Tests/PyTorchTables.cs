using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mnist.Tests.Shared;

namespace Mnist.Models.Tests;

/// <summary>
/// The torchsummary table of every sample's PyTorch twin, made by seed_tables.py (kept in the generator tests,
/// linked here) with forward hooks in PyTorch 1.13.1, parsed into its layer rows and its total.
/// </summary>
internal static partial class PyTorchTables
{
    public sealed record Row(string Name, string Shape, long Parameters);

    public sealed record Table(IReadOnlyList<Row> Rows, long TotalParameters);

    private static readonly Lazy<IReadOnlyDictionary<string, Table>> Tables = new(Compute);

    public static Table Of(string network) => Tables.Value.TryGetValue(network, out var table)
        ? table
        : throw new KeyNotFoundException($"seed_tables.py made no table for {network}");

    private static IReadOnlyDictionary<string, Table> Compute()
    {
        var json = PythonScript.Run("seed_tables.py");
        var tables = new Dictionary<string, Table>();
        foreach (var (name, text) in JsonSerializer.Deserialize<Dictionary<string, string>>(json)!)
            tables[name] = Parse(text);
        return tables;
    }

    private static Table Parse(string text)
    {
        var rows = new List<Row>();
        long? total = null;
        foreach (var line in text.Split('\n'))
        {
            if (RowLine().Match(line) is { Success: true } row)
                rows.Add(new Row(row.Groups[1].Value, row.Groups[2].Value, long.Parse(row.Groups[3].Value.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture)));
            else if (line.StartsWith("Total params: ", StringComparison.Ordinal))
                total = long.Parse(line["Total params: ".Length..].Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        }
        return new Table(rows, total ?? throw new FormatException("no 'Total params' line in:\n" + text));
    }

    /// <summary>"      BatchNorm2d-2    [-1, 32, 26, 26]     64": name-index, shape, parameters.</summary>
    [GeneratedRegex(@"^\s*(\w+-\d+)\s+(\[[-\d, ]+\])\s+([\d,]+)\s*$")]
    private static partial Regex RowLine();
}
