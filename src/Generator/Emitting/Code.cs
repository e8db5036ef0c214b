using System.Globalization;

namespace Mnist.Dsl.Generator.Emitting;

/// <summary>Values written as C# source text, shared by the emitters.</summary>
internal static class Code
{
    /// <summary>A name as C# source: a keyword used as a name (class @class) keeps its @.</summary>
    public static string Identifier(string name) =>
        name.StartsWith("@", System.StringComparison.Ordinal)
            || Microsoft.CodeAnalysis.CSharp.SyntaxFacts.GetKeywordKind(name) == Microsoft.CodeAnalysis.CSharp.SyntaxKind.None
            ? name : "@" + name;

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A C# string literal of any text (quotes, backslashes, newlines escaped): declared names and descriptions.</summary>
    public static string String(string value) => Microsoft.CodeAnalysis.CSharp.SymbolDisplay.FormatLiteral(value, quote: true);

    public static string Bool(bool value) => value ? "true" : "false";

    public static string Double(double value)
    {
        // "R" prints these as words that are not C# literals; the analysis rejects them today, the emitter must not depend on it.
        if (double.IsNaN(value)) return "double.NaN";
        if (double.IsInfinity(value)) return value > 0 ? "double.PositiveInfinity" : "double.NegativeInfinity";
        var text = value.ToString("R", CultureInfo.InvariantCulture);
        return text.IndexOfAny(new[] { '.', 'E' }) >= 0 ? text : text + ".0";
    }

    /// <summary>A described call as C#: <c>nn.Conv2d(1, 8, 3, 1, 0, bias: false)</c>, <c>x.flatten(1)</c>; the input is
    /// x, the training flag training.</summary>
    public static string Call(Mnist.Dsl.Layers.LayerCall call) =>
        (call.OnInput ? "x." : "") + call.Function + "(" + string.Join(", ", call.Arguments.Select(Argument)) + ")";

    /// <summary>One described argument as C#: <c>bias: false</c>, <c>0.01</c>.</summary>
    public static string Argument(Mnist.Dsl.Layers.CallArgument argument) =>
        (argument.Name is null ? "" : argument.Name + ": ") + argument.Kind switch
    {
        Mnist.Dsl.Layers.CallArgumentKind.Int => Int(argument.Int),
        Mnist.Dsl.Layers.CallArgumentKind.Double => Double(argument.Double),
        Mnist.Dsl.Layers.CallArgumentKind.Bool => Bool(argument.Bool),
        Mnist.Dsl.Layers.CallArgumentKind.String => String(argument.Text ?? ""),
        Mnist.Dsl.Layers.CallArgumentKind.Input => "x",
        Mnist.Dsl.Layers.CallArgumentKind.Training => "training",
    };

    public static string Xml(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
