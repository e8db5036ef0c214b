using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Mnist.Dsl.Training.Serialization;
using System.Linq;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Backprop;

/// <summary>
/// The seed's Excel sheet, one worksheet per learning rate. B1 holds the learning rate; row 3 the seed's
/// column headers; from row 4 on, one row per iteration. Every computed cell is a live formula over its
/// own row (forward pass, gradients) or the previous row and B1 (weight updates), so editing B1 or the
/// first row's inputs, targets or weights retrains the sheet in Excel or LibreOffice. Each formula cell
/// also carries the C# value as its cached result, so viewers that do not recalculate still show numbers.
/// </summary>
public static class Workbook
{
    public const string LearningRateCell = "B1";
    public const int HeaderRow = 3;
    public const int FirstDataRow = 4;

    private const uint BoldStyle = 1;

    public static string SheetName(double learningRate) => "lr " + learningRate.ToString("R", CultureInfo.InvariantCulture);

    public static void Write(string path, IReadOnlyList<Trajectory> trajectories) =>
        AtomicFile.Write(path, stream => Write(stream, trajectories));

    public static void Write(Stream stream, IReadOnlyList<Trajectory> trajectories)
    {
        using var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook();
        // Fixed relationship ids (the SDK's default is a random one): the same run gives the same parts.
        workbookPart.AddNewPart<WorkbookStylesPart>("rIdStyles").Stylesheet = Styles();
        var sheets = workbookPart.Workbook.AppendChild(new Sheets());
        uint sheetId = 1;
        foreach (var trajectory in trajectories)
        {
            var sheetPart = workbookPart.AddNewPart<WorksheetPart>("rIdSheet" + sheetId.ToString(CultureInfo.InvariantCulture));
            sheetPart.Worksheet = Worksheet(trajectory, selected: sheetId == 1);
            sheets.Append(new Sheet { Id = workbookPart.GetIdOfPart(sheetPart), SheetId = sheetId++, Name = SheetName(trajectory.LearningRate) });
        }
    }

    /// <summary>The live formula of a column in a data row, or null where the sheet holds a typed-in value.</summary>
    public static string? Formula(string column, int row)
    {
        string At(string name) => Reference(name, row);
        string Prev(string name) => Reference(name, row - 1);
        string Sigmoid(string input) => $"1/(1+EXP(-{At(input)}))";
        // (a_o − t)·a_o·(1 − a_o): ∂E_k/∂a_o_k times the sigmoid's derivative, the seed's output-layer factor.
        string Delta(string ao, string t) => $"({At(ao)}-{At(t)})*{At(ao)}*(1-{At(ao)})";
        string Hidden(string wFromO1, string wFromO2, string ah, string input) =>
            $"({Delta("a_o1", "t1")}*{At(wFromO1)}+{Delta("a_o2", "t2")}*{At(wFromO2)})*{At(ah)}*(1-{At(ah)})*{At(input)}";
        var first = row == FirstDataRow;
        var lr = "$" + LearningRateCell[..1] + "$" + LearningRateCell[1..];

        return column switch
        {
            "iteration" => null,
            // The example is typed into the first row; later rows repeat it, so one edit changes them all.
            "t1" or "t2" or "i1" or "i2" => first ? null : Prev(column),
            // w ← w − η·∂E/∂w, from the previous row's weight and gradient.
            "w1" or "w2" or "w3" or "w4" or "w5" or "w6" or "w7" or "w8" => first ? null : $"{Prev(column)}-{lr}*{Prev("dE/d" + column)}",
            "h1" => $"{At("i1")}*{At("w1")}+{At("i2")}*{At("w2")}",
            "h2" => $"{At("i1")}*{At("w3")}+{At("i2")}*{At("w4")}",
            "a_h1" => Sigmoid("h1"),
            "a_h2" => Sigmoid("h2"),
            "o1" => $"{At("a_h1")}*{At("w5")}+{At("a_h2")}*{At("w6")}",
            "o2" => $"{At("a_h1")}*{At("w7")}+{At("a_h2")}*{At("w8")}",
            "a_o1" => Sigmoid("o1"),
            "a_o2" => Sigmoid("o2"),
            "E1" => $"0.5*({At("t1")}-{At("a_o1")})^2",
            "E2" => $"0.5*({At("t2")}-{At("a_o2")})^2",
            "E_total" => $"{At("E1")}+{At("E2")}",
            "dE/dw1" => Hidden("w5", "w7", "a_h1", "i1"),
            "dE/dw2" => Hidden("w5", "w7", "a_h1", "i2"),
            "dE/dw3" => Hidden("w6", "w8", "a_h2", "i1"),
            "dE/dw4" => Hidden("w6", "w8", "a_h2", "i2"),
            "dE/dw5" => $"{Delta("a_o1", "t1")}*{At("a_h1")}",
            "dE/dw6" => $"{Delta("a_o1", "t1")}*{At("a_h2")}",
            "dE/dw7" => $"{Delta("a_o2", "t2")}*{At("a_h1")}",
            "dE/dw8" => $"{Delta("a_o2", "t2")}*{At("a_h2")}",
            _ => throw new ArgumentException($"No formula for column {column}.", nameof(column)),
        };
    }

    /// <summary>A1-style reference of a sheet column in a row.</summary>
    public static string Reference(string column, int row) =>
        ColumnLetters(SheetColumns.IndexOf(column)) + row.ToString(CultureInfo.InvariantCulture);

    /// <summary>0 → A, 25 → Z, 26 → AA.</summary>
    public static string ColumnLetters(int index)
    {
        var letters = "";
        for (var n = index + 1; n > 0; n = (n - 1) / 26) letters = (char)('A' + (n - 1) % 26) + letters;
        return letters;
    }

    private static Worksheet Worksheet(Trajectory trajectory, bool selected)
    {
        var data = new SheetData();
        data.Append(new Row(
            Text("A1", "learning rate", BoldStyle),
            Number(LearningRateCell, trajectory.LearningRate),
            Text("C1", "Edit the learning rate, or the inputs, targets and weights in row " + FirstDataRow
                + "; every other cell is a formula.")) { RowIndex = 1 });
        data.Append(new Row(SheetColumns.All.Select((c, i) => Text(ColumnLetters(i) + HeaderRow, c.Name, BoldStyle))) { RowIndex = HeaderRow });

        var rowIndex = FirstDataRow;
        foreach (var iteration in trajectory.Iterations)
        {
            var row = new Row { RowIndex = (uint)rowIndex };
            foreach (var column in SheetColumns.All)
            {
                var reference = Reference(column.Name, rowIndex);
                var value = column.Value(iteration);
                var formula = Formula(column.Name, rowIndex);
                row.Append(formula is null ? Number(reference, value) : FormulaWithCachedValue(reference, formula, value));
            }
            data.Append(row);
            rowIndex++;
        }

        // Frozen panes keep the headers and the iteration column in view while scrolling 100 rows by 32 columns.
        var pane = new Pane
        {
            HorizontalSplit = 1, VerticalSplit = HeaderRow, TopLeftCell = "B" + FirstDataRow,
            ActivePane = PaneValues.BottomRight, State = PaneStateValues.Frozen,
        };
        var view = new SheetView(pane) { WorkbookViewId = 0, TabSelected = selected };
        var columns = new Columns(new Column { Min = 1, Max = (uint)SheetColumns.All.Count, Width = 14, CustomWidth = true });
        return new Worksheet(new SheetViews(view), columns, data);
    }

    private static Cell Number(string reference, double value) =>
        new() { CellReference = reference, CellValue = new CellValue(Format(value)) };

    private static Cell FormulaWithCachedValue(string reference, string formula, double value) =>
        // A non-finite result has no cached number; the spreadsheet computes its own (#NUM!) on recalculation.
        new() { CellReference = reference, CellFormula = new CellFormula(formula),
            CellValue = double.IsFinite(value) ? new CellValue(Format(value)) : null };

    private static Cell Text(string reference, string text, uint style = 0) =>
        new() { CellReference = reference, DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text)),
            StyleIndex = style == 0 ? null : style };

    private static string Format(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static Stylesheet Styles()
    {
        Font Font(bool bold)
        {
            var font = new Font();
            if (bold) font.Append(new Bold());
            font.Append(new FontSize { Val = 11 }, new FontName { Val = "Calibri" });
            return font;
        }

        return new Stylesheet(
            new Fonts(Font(false), Font(true)) { Count = 2 },
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }),
                new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
            new Borders(new Border()) { Count = 1 },
            new CellStyleFormats(new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0 }) { Count = 1 },
            new CellFormats(
                new CellFormat { NumberFormatId = 0, FontId = 0, FillId = 0, BorderId = 0, FormatId = 0 },
                new CellFormat { NumberFormatId = 0, FontId = 1, FillId = 0, BorderId = 0, FormatId = 0, ApplyFont = true }) { Count = 2 });
    }
}
