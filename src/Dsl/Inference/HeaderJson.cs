using System;
using System.Collections.Generic;
using System.Globalization;
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
    private readonly string text;
    private int position;

    private HeaderJson(string text) => this.text = text;

    /// <summary>Parses <paramref name="text"/>; throws <see cref="FormatException"/> naming the offset of the first error.</summary>
    public static object? Parse(string text)
    {
        var reader = new HeaderJson(text);
        var value = reader.Value(depth: 0);
        reader.SkipWhitespace();
        if (reader.position != text.Length) throw reader.Error("text after the end of the JSON value");
        return value;
    }

    private object? Value(int depth)
    {
        if (depth > 64) throw Error("nesting deeper than 64 levels");
        SkipWhitespace();
        if (position >= text.Length) throw Error("unexpected end");
        switch (text[position])
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
        position++;
        SkipWhitespace();
        if (Peek() == '}') { position++; return result; }
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
            if (Peek() == ',') { position++; continue; }
            Expect('}');
            return result;
        }
    }

    private List<object?> Array(int depth)
    {
        var result = new List<object?>();
        position++;
        SkipWhitespace();
        if (Peek() == ']') { position++; return result; }
        while (true)
        {
            result.Add(Value(depth + 1));
            SkipWhitespace();
            if (Peek() == ',') { position++; continue; }
            Expect(']');
            return result;
        }
    }

    private string String()
    {
        position++; // the opening quote
        var builder = new StringBuilder();
        while (true)
        {
            if (position >= text.Length) throw Error("unterminated string");
            var c = text[position++];
            if (c == '"') return builder.ToString();
            if (c != '\\') { builder.Append(c); continue; }
            if (position >= text.Length) throw Error("unterminated escape");
            var e = text[position++];
            switch (e)
            {
                case '"': case '\\': case '/': builder.Append(e); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'u':
                    if (position + 4 > text.Length || !int.TryParse(text.Substring(position, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
                        throw Error("bad \\u escape");
                    builder.Append((char)code);
                    position += 4;
                    break;
                default: throw Error($"unknown escape \\{e}");
            }
        }
    }

    private object Number()
    {
        var start = position;
        while (position < text.Length && "+-0123456789.eE".IndexOf(text[position]) >= 0) position++;
        var token = text.Substring(start, position - start);
        if (token.Length == 0) throw Error($"unexpected character '{text[start]}'");
        if (long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)) return integer;
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _)) return token;
        throw Error($"'{token}' is not a number");
    }

    private object? Word(string word, object? value)
    {
        if (string.CompareOrdinal(text, position, word, 0, word.Length) != 0) throw Error($"unexpected character '{text[position]}'");
        position += word.Length;
        return value;
    }

    private char Peek() => position < text.Length ? text[position] : '\0';

    private void Expect(char c)
    {
        if (Peek() != c) throw Error(position < text.Length ? $"expected '{c}' but found '{text[position]}'" : $"expected '{c}' but the text ended");
        position++;
    }

    private void SkipWhitespace()
    {
        while (position < text.Length && text[position] is ' ' or '\t' or '\n' or '\r') position++;
    }

    private FormatException Error(string what) => new($"{what} at offset {position.ToString(CultureInfo.InvariantCulture)}");
}
