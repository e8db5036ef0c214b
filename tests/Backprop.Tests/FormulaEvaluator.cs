using System;
using System.Collections.Generic;
using System.Globalization;

namespace Backprop.Tests;

/// <summary>
/// Just enough of a spreadsheet to recalculate the workbook without Excel: numbers, A1 references (with
/// or without $), + − * / ^, unary minus, parentheses and EXP. Each cell's formula is evaluated from the
/// formulas of the cells it references, never from their cached values, so the test sees what a
/// spreadsheet would compute. Precedence as in Excel: unary minus binds tighter than ^.
/// </summary>
public sealed class FormulaEvaluator
{
    private readonly IReadOnlyDictionary<string, string> formulas;
    private readonly IReadOnlyDictionary<string, double> constants;
    private readonly Dictionary<string, double> computed = new();

    public FormulaEvaluator(IReadOnlyDictionary<string, string> formulas, IReadOnlyDictionary<string, double> constants)
    {
        this.formulas = formulas;
        this.constants = constants;
    }

    public double Value(string cell)
    {
        cell = cell.Replace("$", "");
        if (computed.TryGetValue(cell, out var known)) return known;
        if (constants.TryGetValue(cell, out var constant)) return constant;
        if (!formulas.TryGetValue(cell, out var formula)) throw new InvalidOperationException($"{cell} is empty.");
        var parser = new Parser(formula, this);
        var value = parser.Expression();
        parser.ExpectEnd();
        computed[cell] = value;
        return value;
    }

    private sealed class Parser
    {
        private readonly string text;
        private readonly FormulaEvaluator sheet;
        private int at;

        public Parser(string text, FormulaEvaluator sheet)
        {
            this.text = text;
            this.sheet = sheet;
        }

        public void ExpectEnd()
        {
            if (at != text.Length) throw Error("end of formula");
        }

        public double Expression()
        {
            var value = Term();
            while (Peek() is '+' or '-')
                value = text[at++] == '+' ? value + Term() : value - Term();
            return value;
        }

        private double Term()
        {
            var value = Power();
            while (Peek() is '*' or '/')
                value = text[at++] == '*' ? value * Power() : value / Power();
            return value;
        }

        private double Power()
        {
            var value = Unary();
            while (Peek() == '^')
            {
                at++;
                value = Math.Pow(value, Unary());
            }
            return value;
        }

        private double Unary()
        {
            if (Peek() == '-')
            {
                at++;
                return -Unary();
            }
            return Primary();
        }

        private double Primary()
        {
            var c = Peek();
            if (c == '(')
            {
                at++;
                var value = Expression();
                Expect(')');
                return value;
            }
            if (char.IsDigit(c) || c == '.')
            {
                var start = at;
                // Plain decimals only: the workbook's formulas hold no exponent notation.
                while (at < text.Length && (char.IsDigit(text[at]) || text[at] == '.')) at++;
                return double.Parse(text[start..at], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            if (char.IsLetter(c) || c == '$')
            {
                var start = at;
                while (at < text.Length && (char.IsLetterOrDigit(text[at]) || text[at] == '$')) at++;
                var name = text[start..at];
                if (Peek() == '(')
                {
                    if (name != "EXP") throw Error($"a known function, not {name}");
                    at++;
                    var argument = Expression();
                    Expect(')');
                    return Math.Exp(argument);
                }
                return sheet.Value(name);
            }
            throw Error("a number, reference, function or (");
        }

        private char Peek() => at < text.Length ? text[at] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c) throw Error($"'{c}'");
            at++;
        }

        private FormatException Error(string expected) => new($"Expected {expected} at {at} in ={text}");
    }
}
