using System.Text;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The little JSON a safetensors header holds (objects, arrays, strings, integers; true/false/null and
/// fractions are accepted and kept as text). Mnist.Dsl targets netstandard2.0 and must stay free of package
/// dependencies, so System.Text.Json is not available; this reader is enough for headers and nothing more.
/// Objects become <see cref="Dictionary{TKey, TValue}"/>, arrays <see cref="List{T}"/>, numbers long (or
/// the number's text when it is not an integer), strings string.
/// </summary>
internal sealed class HeaderJson
{
    private readonly string _text;
    private int _position;

    private HeaderJson(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the offset of the first error.</summary>
    public static object? Parse(string text)
    {
        var reader = new HeaderJson(text);
        var value = reader.Value(depth: 0);
        reader.SkipWhitespace();
        if (reader._position != text.Length) throw reader.Error("text after the end of the JSON value");
        return value;
    }

    private object? Value(int depth)
    {
        if (depth > 64) throw Error("nesting deeper than 64 levels");
        SkipWhitespace();
        if (_position >= _text.Length) throw Error("unexpected end");
        switch (_text[_position])
        {
            case '{': return Object(depth);
            case '[': return Array(depth);
            case '"': return String();
            case 't': return Word("true", true);
            case 'f': return Word("false", false);
            case 'n': return Word("null", null);
            default: return Number();
        }
    }

    private Dictionary<string, object?> Object(int depth)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        _position++;
        SkipWhitespace();
        if (Peek() == '}') { _position++; return result; }
        while (true)
        {
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a string key");
            var key = String();
            SkipWhitespace();
            Expect(':');
            if (result.ContainsKey(key)) throw Error($"key '{key}' appears twice");
            result[key] = Value(depth + 1);
            SkipWhitespace();
            if (Peek() == ',') { _position++; continue; }
            Expect('}');
            return result;
        }
    }

    private List<object?> Array(int depth)
    {
        var result = new List<object?>();
        _position++;
        SkipWhitespace();
        if (Peek() == ']') { _position++; return result; }
        while (true)
        {
            result.Add(Value(depth + 1));
            SkipWhitespace();
            if (Peek() == ',') { _position++; continue; }
            Expect(']');
            return result;
        }
    }

    private string String()
    {
        _position++; // the opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (_position >= _text.Length) throw Error("unterminated string");
            var c = _text[_position++];
            if (c == '"') return builder.ToString();
            if (c != '\\') { builder.Append(c); continue; }
            if (_position >= _text.Length) throw Error("unterminated escape");
            var e = _text[_position++];
            switch (e)
            {
                case '"': case '\\': case '/': builder.Append(e); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (_position + 4 > _text.Length
                        || !int.TryParse(_text.Substring(_position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw Error("bad \\u escape");
                    builder.Append((char)code);
                    _position += 4;
                    break;
                default: throw Error($"unknown escape \\{e}");
            }
        }
    }

    private object Number()
    {
        var start = _position;
        while (_position < _text.Length && "+-0123456789.eE".IndexOf(_text[_position]) >= 0) _position++;
        var token = _text.Substring(start, _position - start);
        if (token.Length == 0) throw Error($"unexpected character '{_text[start]}'");
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return token;
        throw Error($"'{token}' is not a number");
    }

    private object? Word(string word, object? value)
    {
        if (string.CompareOrdinal(_text, _position, word, 0, word.Length) != 0) throw Error($"unexpected character '{_text[_position]}'");
        _position += word.Length;
        return value;
    }

    private char Peek() => _position < _text.Length ? _text[_position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error(_position < _text.Length ? $"expected '{c}' but found '{_text[_position]}'"
            : $"expected '{c}' but the text ended");
        _position++;
    }

    private void SkipWhitespace()
    {
        while (_position < _text.Length && _text[_position] is ' ' or '\t' or '\n' or '\r') _position++;
    }

    private FormatException Error(string what) => new($"{what} at offset {_position.ToString(CultureInfo.InvariantCulture)}");
}
