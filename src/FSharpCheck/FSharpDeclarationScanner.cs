using System.Text.RegularExpressions;

namespace Mnist.Dsl.FSharpCheck;

/// <summary>One attribute as written in F# source: its name without "Attribute", its text and where it starts (1-based).</summary>
public sealed record SourceAttribute(string Name, string Text, int Offset, int Line, int Column);

/// <summary>Where a type is declared: the file, the position of its name, and the attributes written before it, in source order.</summary>
public sealed record SourceDeclaration(string File, int Line, int Column, IReadOnlyList<SourceAttribute> Attributes, string Source)
{
    /// <summary>
    /// The position of the argument that sets <paramref name="name"/>, as the C# analyzer finds it: <c>Name = ...</c>
    /// (a property, or a constructor parameter given by name), else the constructor's positional argument at
    /// <paramref name="parameterIndex"/>; null when the attribute does not write it.
    /// </summary>
    public (int Line, int Column)? Argument(SourceAttribute attribute, string? name, string? parameterName, int parameterIndex)
    {
        if (name is null) return null;
        foreach (var written in new[] { name, parameterName })
        {
            if (written is null) continue;
            var match = Regex.Match(attribute.Text, @"\b" + Regex.Escape(written) + @"\s*=(?!=)");
            if (match.Success) return FSharpDeclarationScanner.Position(Source, attribute.Offset + match.Index);
        }
        if (parameterIndex < 0) return null;
        var positional = FSharpDeclarationScanner.Arguments(attribute.Text).Where(a => !a.IsNamed).ToList();
        return parameterIndex < positional.Count ? FSharpDeclarationScanner.Position(Source, attribute.Offset + positional[parameterIndex].Offset)
            : null;
    }
}

/// <summary>
/// Finds a type's declaration and its attributes in F# source text. Why the source and not the PDB: attributes
/// compile to metadata, not IL, so no sequence point ever falls on one; the PDB could only say which file holds the
/// type's constructor. The scan reads <c>type Name</c> (or <c>and Name</c>) and the <c>[&lt; ... &gt;]</c> lists right
/// before it (only whitespace and line comments between and after them), split at top-level <c>;</c> and line breaks.
/// </summary>
public static class FSharpDeclarationScanner
{
    /// <summary>
    /// The declaration of <paramref name="name"/> in the first file that declares it, preferring a file that also
    /// declares the innermost module it is nested in; null when none does.
    /// </summary>
    public static SourceDeclaration? Find(IEnumerable<string> files, string name, IReadOnlyList<string> enclosing)
    {
        var declaration = new Regex(@"\b(?:type|and)\s+(?:\[<[^\]]*>\]\s*)?(?:(?:private|internal|public)\s+)?(?<name>" + Regex.Escape(name)
            + @")\b");
        var module = enclosing.Count == 0 ? null
            : new Regex(@"\bmodule\s+(?:(?:private|internal|public|rec)\s+)*(?:[\w.]*\.)?" + Regex.Escape(enclosing[enclosing.Count - 1]) + @"\b");
        SourceDeclaration? first = null;
        foreach (var file in files)
        {
            if (!File.Exists(file)) continue;
            var text = File.ReadAllText(file);
            var match = declaration.Match(text);
            if (!match.Success) continue;
            var found = Declaration(file, text, match.Index, match.Groups["name"].Index);
            if (module is null || module.IsMatch(text)) return found;
            first ??= found;
        }
        return first;
    }

    /// <summary>The types of one file whose attribute lists include [&lt;Network&gt;], with where each name is, in source order.</summary>
    public static IEnumerable<(string Name, int Line, int Column)> Networks(string file, string text)
    {
        foreach (Match match in AnyDeclaration.Matches(text))
        {
            var found = Declaration(file, text, match.Index, match.Groups["name"].Index);
            if (found.Attributes.Any(a => a.Name == "Network")) yield return (match.Groups["name"].Value, found.Line, found.Column);
        }
    }

    private static readonly Regex AnyDeclaration = new(@"\b(?:type|and)\s+(?:\[<[^\]]*>\]\s*)?(?:(?:private|internal|public)\s+)?(?<name>\w+)\b");

    private static SourceDeclaration Declaration(string file, string text, int keyword, int nameAt)
    {
        var lists = new List<(int Start, int End)>();
        var at = keyword;
        while (true)
        {
            var end = at;
            while (end > 0 && char.IsWhiteSpace(text[end - 1])) end--;
            var lineStart = end == 0 ? 0 : text.LastIndexOf('\n', end - 1) + 1;
            var comment = CommentStart(text, lineStart, end);
            if (comment >= 0)
            {
                // A line that is all comment: look above it. A comment after a list ([<...>]   // 28 → 26): the list ends before it.
                if (text.Substring(lineStart, comment - lineStart).Trim().Length == 0)
                {
                    if (lineStart == 0) break;
                    at = lineStart;
                    continue;
                }
                end = comment;
                while (end > lineStart && char.IsWhiteSpace(text[end - 1])) end--;
            }
            if (end >= 2 && text[end - 2] == '>' && text[end - 1] == ']')
            {
                var start = text.LastIndexOf("[<", end - 2, StringComparison.Ordinal);
                if (start < 0) break;
                lists.Insert(0, (start + 2, end - 2));
                at = start;
                continue;
            }
            break;
        }
        var attributes = lists.SelectMany(l => Split(text, l.Start, l.End)).ToList();
        var (line, column) = Position(text, nameAt);
        return new SourceDeclaration(file, line, column, attributes, text);
    }

    /// <summary>Where a // line comment starts in text[lineStart..end), outside string literals; -1 when none does.</summary>
    private static int CommentStart(string text, int lineStart, int end)
    {
        foreach (var i in OutsideStrings(text, lineStart, end - 1))
            if (text[i] == '/' && text[i + 1] == '/') return i;
        return -1;
    }

    /// <summary>
    /// The offsets in text[start..end) outside F# string literals (in which a backslash escapes the next character), in
    /// order: the one string-literal rule of the comment search and of the attribute and argument splits.
    /// </summary>
    private static IEnumerable<int> OutsideStrings(string text, int start, int end)
    {
        var inString = false;
        for (var i = start; i < end; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\') i++;
                else if (c == '"') inString = false;
            }
            else if (c == '"') inString = true;
            else yield return i;
        }
    }

    /// <summary>The attributes of one list: split where a ';' or a line break is outside parentheses and strings.</summary>
    private static IEnumerable<SourceAttribute> Split(string text, int start, int end)
    {
        int depth = 0, pieceStart = start;
        // text[end] is the list's closing '>': outside a string, it ends the last piece as a ';' would.
        foreach (var i in OutsideStrings(text, start, end + 1))
        {
            var c = i < end ? text[i] : ';';
            if (c == '(') depth++;
            else if (c == ')') depth--;
            else if (depth == 0 && (c == ';' || c == '\n'))
            {
                var piece = Piece(text, pieceStart, i);
                if (piece is not null) yield return piece;
                pieceStart = i + 1;
            }
        }
    }

    private static SourceAttribute? Piece(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        if (start >= end) return null;
        var raw = text.Substring(start, end - start).TrimEnd();
        var nameLength = 0;
        while (nameLength < raw.Length && (char.IsLetterOrDigit(raw[nameLength]) || raw[nameLength] is '_' or '.')) nameLength++;
        var name = raw.Substring(0, nameLength);
        name = name.Substring(name.LastIndexOf('.') + 1);
        if (name.EndsWith("Attribute", StringComparison.Ordinal) && name.Length > "Attribute".Length)
            name = name.Substring(0, name.Length - "Attribute".Length);
        var (line, column) = Position(text, start);
        return new SourceAttribute(name, raw, start, line, column);
    }

    /// <summary>The arguments inside an attribute's parentheses, split at top-level commas: where each starts in the
    /// attribute's text, and whether it is <c>Name = value</c>.</summary>
    public static IReadOnlyList<(int Offset, bool IsNamed)> Arguments(string attributeText)
    {
        var arguments = new List<(int, bool)>();
        var open = attributeText.IndexOf('(');
        if (open < 0) return arguments;
        int depth = 0, start = open + 1;
        foreach (var i in OutsideStrings(attributeText, open + 1, attributeText.Length))
        {
            var c = attributeText[i];
            if (c == '(') depth++;
            else if ((c == ',' || c == ')') && depth == 0)
            {
                var text = attributeText.Substring(start, i - start);
                var leading = text.Length - text.TrimStart().Length;
                if (text.Trim().Length > 0) arguments.Add((start + leading, Regex.IsMatch(text, @"^\s*\w+\s*=(?!=)")));
                if (c == ')') break;
                start = i + 1;
            }
            else if (c == ')') depth--;
        }
        return arguments;
    }

    /// <summary>1-based line and column of an offset.</summary>
    public static (int Line, int Column) Position(string text, int offset)
    {
        int line = 1, lineStart = 0;
        for (var i = 0; i < offset && i < text.Length; i++)
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        return (line, offset - lineStart + 1);
    }
}
