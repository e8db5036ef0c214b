using System;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>LSP positions (zero-based line, UTF-16 column, as C# strings count) of text in a document.</summary>
internal static class TextPositions
{
    /// <summary>Where <paramref name="marker"/> starts in <paramref name="text"/>, plus <paramref name="offset"/> characters; it must occur once.</summary>
    public static (int Line, int Character) Of(string text, string marker, int offset = 0)
    {
        var index = text.IndexOf(marker, StringComparison.Ordinal);
        if (index < 0 || text.IndexOf(marker, index + 1, StringComparison.Ordinal) >= 0)
            throw new ArgumentException($"'{marker}' must occur exactly once in the document", nameof(marker));
        index += offset;
        var line = 0;
        var lineStart = 0;
        for (var i = 0; i < index; i++)
            if (text[i] == '\n') { line++; lineStart = i + 1; }
        return (line, index - lineStart);
    }
}
