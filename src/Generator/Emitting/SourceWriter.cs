using System.Text;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>Writes C# line by line with the indentation of the current block.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public SourceWriter Line(string line = "")
    {
        if (line.Length > 0) _text.Append(' ', _depth * 4).Append(line);
        _text.Append('\n');
        return this;
    }

    /// <summary>A member declared on one line, its one-line summary above it and a blank line after it.</summary>
    public SourceWriter Member(string summary, string declaration) => Line("/// <summary>" + summary + "</summary>").Line(declaration).Line();

    public SourceWriter Open(string line)
    {
        Line(line);
        Line("{");
        _depth++;
        return this;
    }

    public SourceWriter Close(string suffix = "")
    {
        _depth--;
        return Line("}" + suffix);
    }

    public override string ToString() => _text.ToString();
}
