using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Validation;
using DocumentFormat.OpenXml.Spreadsheet;
using Xunit;

namespace Backprop.Tests;

/// <summary>The .xlsx read back with DocumentFormat.OpenXml: live formulas, their cached values, and what they compute.</summary>
public sealed class WorkbookTests : IDisposable
{
    private static readonly string[] Constants = { "iteration" };
    private static readonly string[] FirstRowInputs = { "t1", "t2", "i1", "i2", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8" };
    private static readonly string[] ForwardColumns = { "h1", "a_h1", "h2", "a_h2", "o1", "a_o1", "o2", "a_o2", "E1", "E2", "E_total" };
    private static readonly string[] GradientColumns = Enumerable.Range(1, 8).Select(k => $"dE/dw{k}").ToArray();
    private static readonly string[] WeightColumns = Enumerable.Range(1, 8).Select(k => $"w{k}").ToArray();

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "backprop-tests-" + Guid.NewGuid().ToString("N"));
    private readonly IReadOnlyList<Trajectory> _trajectories = LearningRateSweep.Run(SweepSettings.Default, checkAutograd: false);

    public void Dispose()
    {
        if (Directory.Exists(_folder)) Directory.Delete(_folder, recursive: true);
    }

    private sealed record SheetContent(double LearningRate, Dictionary<string, int> Columns, Dictionary<string, Cell> Cells);

    private List<SheetContent> WriteAndRead()
    {
        var path = Path.Combine(_folder, "backprop.xlsx");
        Workbook.Write(path, _trajectories);
        using var document = SpreadsheetDocument.Open(path, false);
        var workbookPart = document.WorkbookPart!;
        var sheets = new List<SheetContent>();
        foreach (var sheet in workbookPart.Workbook.Sheets!.Elements<Sheet>())
        {
            var part = (WorksheetPart)workbookPart.GetPartById(sheet.Id!);
            var cells = part.Worksheet.Descendants<Cell>().ToDictionary(c => c.CellReference!.Value!, c => (Cell)c.CloneNode(true));
            // Columns are found by their header text, not by the writer's own column table.
            var columns = cells.Where(kv => RowOf(kv.Key) == Workbook.HeaderRow)
                .ToDictionary(kv => kv.Value.InlineString!.InnerText, kv => ColumnIndex(kv.Key));
            Assert.Equal("learning rate", cells["A1"].InlineString!.InnerText);
            Assert.Equal("lr " + Number(cells["B1"]).ToString("R", CultureInfo.InvariantCulture), sheet.Name!.Value);
            sheets.Add(new SheetContent(Number(cells["B1"]), columns, cells));
        }
        return sheets;
    }

    [Fact]
    public void One_sheet_per_learning_rate_with_the_seeds_columns()
    {
        var sheets = WriteAndRead();

        Assert.Equal(SweepSettings.SeedLearningRates, sheets.Select(s => s.LearningRate));
        foreach (var sheet in sheets)
        {
            Assert.Equal(Constants.Concat(FirstRowInputs).Concat(ForwardColumns).Concat(GradientColumns).OrderBy(n => n),
                sheet.Columns.Keys.OrderBy(n => n));
            var lastRow = sheet.Cells.Keys.Max(RowOf);
            Assert.Equal(Workbook.FirstDataRow + SweepSettings.DefaultIterations - 1, lastRow);
        }
    }

    [Fact]
    public void Forward_gradient_and_update_columns_hold_formulas_with_the_CSharp_values_cached()
    {
        var sheets = WriteAndRead();
        for (var s = 0; s < sheets.Count; s++)
        {
            var sheet = sheets[s];
            foreach (var iteration in _trajectories[s].Iterations)
            {
                var row = Workbook.FirstDataRow + iteration.Number - 1;
                foreach (var column in SheetColumns.All)
                {
                    var cell = sheet.Cells[Letters(sheet.Columns[column.Name]) + row];
                    var isFormula = ForwardColumns.Contains(column.Name) || GradientColumns.Contains(column.Name)
                        || (iteration.Number > 1 && column.Name != "iteration");
                    Assert.True(isFormula == (cell.CellFormula is not null), $"{sheet.LearningRate}: {cell.CellReference} ({column.Name}) formula: {cell.CellFormula?.Text}");
                    Assert.Equal(column.Value(iteration), Number(cell), 1e-12);
                }
            }

            // The updates use the learning-rate cell and the previous row's weight and gradient.
            var w1 = sheet.Cells[Letters(sheet.Columns["w1"]) + (Workbook.FirstDataRow + 1)].CellFormula!.Text;
            Assert.Contains("$B$1", w1);
            Assert.Contains(Letters(sheet.Columns["w1"]) + Workbook.FirstDataRow, w1);
            Assert.Contains(Letters(sheet.Columns["dE/dw1"]) + Workbook.FirstDataRow, w1);
        }
    }

    /// <summary>Recalculating every formula from the typed-in cells alone gives the C# run: the formulas are right, not only present.</summary>
    [Fact]
    public void Recalculated_formulas_equal_the_CSharp_values()
    {
        var sheets = WriteAndRead();
        for (var s = 0; s < sheets.Count; s++)
        {
            var evaluator = Evaluator(sheets[s], learningRateOverride: null);
            foreach (var iteration in _trajectories[s].Iterations)
                foreach (var column in SheetColumns.All)
                {
                    var reference = Letters(sheets[s].Columns[column.Name]) + (Workbook.FirstDataRow + iteration.Number - 1);
                    Assert.Equal(column.Value(iteration), evaluator.Value(reference), 1e-12);
                }
        }
    }

    /// <summary>Live means live: typing another learning rate into B1 of one sheet retrains that sheet.</summary>
    [Fact]
    public void Changing_the_learning_rate_cell_retrains_the_sheet()
    {
        var sheets = WriteAndRead();
        var evaluator = Evaluator(sheets[0], learningRateOverride: 2.0);
        var expected = LearningRateSweep.Train(Example.Default, Weights.Default, 2.0, SweepSettings.DefaultIterations);
        var eTotal = Letters(sheets[0].Columns["E_total"]);

        Assert.Equal(0.1, sheets[0].LearningRate);
        foreach (var iteration in expected)
            Assert.Equal(iteration.Forward.ETotal, evaluator.Value(eTotal + (Workbook.FirstDataRow + iteration.Number - 1)), 1e-12);
    }

    /// <summary>Schema-valid Open XML, so Excel opens it without a repair prompt.</summary>
    [Fact]
    public void The_workbook_is_valid_against_the_Open_XML_schema()
    {
        var path = Path.Combine(_folder, "backprop.xlsx");
        Workbook.Write(path, _trajectories);
        using var document = SpreadsheetDocument.Open(path, false);

        var errors = new OpenXmlValidator(FileFormatVersions.Office2016).Validate(document).Select(e => $"{e.Path?.XPath}: {e.Description}").ToList();

        Assert.Empty(errors);
    }

    [Fact]
    public void Writing_leaves_no_temporary_file_behind()
    {
        WriteAndRead();

        Assert.Equal(new[] { "backprop.xlsx" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
    }

    private static FormulaEvaluator Evaluator(SheetContent sheet, double? learningRateOverride)
    {
        var formulas = sheet.Cells.Where(kv => kv.Value.CellFormula is not null).ToDictionary(kv => kv.Key, kv => kv.Value.CellFormula!.Text);
        var constants = sheet.Cells.Where(kv => kv.Value.CellFormula is null && kv.Value.DataType is null)
            .ToDictionary(kv => kv.Key, kv => Number(kv.Value));
        if (learningRateOverride is { } lr) constants[Workbook.LearningRateCell] = lr;
        return new FormulaEvaluator(formulas, constants);
    }

    private static double Number(Cell cell) =>
        double.Parse(cell.CellValue?.Text ?? throw new InvalidOperationException($"{cell.CellReference} has no value."), NumberStyles.Float, CultureInfo.InvariantCulture);

    private static int RowOf(string reference) => int.Parse(reference.AsSpan(reference.TakeWhile(char.IsLetter).Count()), CultureInfo.InvariantCulture);

    private static int ColumnIndex(string reference)
    {
        var index = 0;
        foreach (var c in reference.TakeWhile(char.IsLetter)) index = index * 26 + (c - 'A' + 1);
        return index - 1;
    }

    private static string Letters(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) letters = (char)('A' + (n - 1) % 26) + letters;
        return letters;
    }
}
