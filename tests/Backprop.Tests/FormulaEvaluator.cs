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
    private readonly IReadOnlyDictionary<string, string> _formulas;
    private readonly IReadOnlyDictionary<string, double> _constants;
    private readonly Dictionary<string, double> _computed = new();

    public FormulaEvaluator(IReadOnlyDictionary<string, string> formulas, IReadOnlyDictionary<string, double> constants)
    {
        _formulas = formulas;
        _constants = constants;
    }

    public double Value(string cell)
    {
        cell = cell.Replace("$", "");
        if (_computed.TryGetValue(cell, out var known)) return known;
        if (_constants.TryGetValue(cell, out var constant)) return constant;
        if (!_formulas.TryGetValue(cell, out var formula)) throw new InvalidOperationException($"{cell} is empty.");
        var parser = new Parser(formula, this);
        var value = parser.Expression();
        parser.ExpectEnd();
        _computed[cell] = value;
        return value;
    }

    private sealed class Parser
    {
        private readonly string _text;
        private readonly FormulaEvaluator _sheet;
        private int _at;

        public Parser(string text, FormulaEvaluator sheet)
        {
            _text = text;
            _sheet = sheet;
        }

        public void ExpectEnd()
        {
            if (_at != _text.Length) throw Error("end of formula");
        }

        public double Expression()
        {
            var value = Term();
            while (Peek() is '+' or '-')
                value = _text[_at++] == '+' ? value + Term() : value - Term();
            return value;
        }

        private double Term()
        {
            var value = Power();
            while (Peek() is '*' or '/')
                value = _text[_at++] == '*' ? value * Power() : value / Power();
            return value;
        }

        private double Power()
        {
            var value = Unary();
            while (Peek() == '^')
            {
                _at++;
                value = Math.Pow(value, Unary());
            }
            return value;
        }

        private double Unary()
        {
            if (Peek() == '-')
            {
                _at++;
                return -Unary();
            }
            return Primary();
        }

        private double Primary()
        {
            var c = Peek();
            if (c == '(')
            {
                _at++;
                var value = Expression();
                Expect(')');
                return value;
            }
            if (char.IsDigit(c) || c == '.')
            {
                var start = _at;
                // Plain decimals only: the workbook's formulas hold no exponent notation.
                while (_at < _text.Length && (char.IsDigit(_text[_at]) || _text[_at] == '.')) _at++;
                return double.Parse(_text[start.._at], NumberStyles.Float, CultureInfo.InvariantCulture);
            }
            if (char.IsLetter(c) || c == '$')
            {
                var start = _at;
                while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '$')) _at++;
                var name = _text[start.._at];
                if (Peek() == '(')
                {
                    if (name != "EXP") throw Error($"a known function, not {name}");
                    _at++;
                    var argument = Expression();
                    Expect(')');
                    return Math.Exp(argument);
                }
                return _sheet.Value(name);
            }
            throw Error("a number, reference, function or (");
        }

        private char Peek() => _at < _text.Length ? _text[_at] : '\0';

        private void Expect(char c)
        {
            if (Peek() != c) throw Error($"'{c}'");
            _at++;
        }

        private FormatException Error(string expected) => new($"Expected {expected} at {_at} in ={_text}");
    }
}
