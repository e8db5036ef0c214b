using System.Globalization;
using Mnist.Dsl.Analysis;
using Xunit;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>What a hover over a network must show: its numbers and its table as a Markdown code block.</summary>
internal static class HoverAssert
{
    public static void ShowsNetwork(string hover, NetworkSummary expected)
    {
        var output = expected.Output.IsPointMap ? Shape.Flat(expected.Output.Channels) : expected.Output;
        var facts = string.Format(CultureInfo.InvariantCulture, "{0:N0} parameters, output {1}, receptive field {2}×{2}", expected.TotalParameters, output, expected.ReceptiveField);
        // The facts once (csharp-ls shows every summary and every remarks of the merged comment).
        Assert.Equal(2, hover.Split(facts).Length);
        // The remarks start on their "Remarks:" line: no "Remarks: " with nothing after it (a paragraph that starts below).
        Assert.DoesNotMatch(@"Remarks:\s*\n", hover.ReplaceLineEndings("\n"));
        // The fence opens and closes on lines of their own, or a Markdown client shows the table as running text.
        Assert.Contains("\n```csharp\n" + expected.ToTable().ReplaceLineEndings("\n") + "\n```\n", hover.ReplaceLineEndings("\n"));
    }
}
