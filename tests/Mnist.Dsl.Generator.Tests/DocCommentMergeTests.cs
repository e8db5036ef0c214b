using System.Linq;
using System.Xml.Linq;
using Mnist.Dsl.Testing;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The network's documentation as Roslyn merges it (docs/editor.md): the compiler concatenates the doc comments of a
/// partial type's parts, the user's first; Roslyn's Quick Info keeps only the first &lt;summary&gt; and the first
/// &lt;remarks&gt;, csharp-ls shows them all; so the facts are written once, as the summary when the user wrote none and
/// at the head of the remarks when they did, and the table's &lt;code&gt; sits between paragraph breaks.
/// </summary>
public sealed class DocCommentMergeTests
{
    private const string Layers = """
        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(16, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        """;

    [Fact]
    public void With_the_users_summary_first_the_generated_facts_open_the_remarks_and_are_not_a_second_summary()
    {
        var doc = MergedDoc("/// <summary>The user's own words.</summary>\n" + Layers + "public partial class Net;");

        Assert.Equal("The user's own words.", Assert.Single(doc.Elements("summary")).Value);
        var remarks = AssertRemarksCarryTheTable(doc);
        Assert.StartsWith(Facts, remarks.Nodes().OfType<XText>().First().Value.Trim());
    }

    [Fact]
    public void Without_a_users_comment_the_summary_is_the_generated_facts_and_the_remarks_do_not_repeat_them()
    {
        var doc = MergedDoc(Layers + "public partial class Net;");

        Assert.StartsWith(Facts, Assert.Single(doc.Elements("summary")).Value.Trim());
        var remarks = AssertRemarksCarryTheTable(doc);
        Assert.DoesNotContain("1,466 parameters", remarks.Value);
    }

    private const string Facts = "Net: 1,466 parameters, output [-1, 10], receptive field 28×28";

    /// <summary>
    /// csharp-ls writes "Remarks: " and then the remarks' first node: text, so that line does not end in a space; an
    /// empty &lt;para/&gt; before &lt;code&gt;, so its fence opens on a line of its own; a &lt;para&gt; after it, so the fence closes on its own.
    /// </summary>
    private static XElement AssertRemarksCarryTheTable(XElement doc)
    {
        var remarks = Assert.Single(doc.Elements("remarks"));
        var code = Assert.Single(remarks.Elements("code"));
        Assert.Contains("Total params: 1,466", code.Value);
        Assert.IsType<XText>(remarks.FirstNode);
        Assert.Equal("para", ((XElement)code.ElementsBeforeSelf().Last()).Name.LocalName);
        Assert.True(code.ElementsBeforeSelf().Last().IsEmpty);
        Assert.Equal("para", code.ElementsAfterSelf().First().Name.LocalName);
        Assert.All(code.NodesAfterSelf().OfType<XText>(), t => Assert.True(string.IsNullOrWhiteSpace(t.Value), $"bare text after <code>: '{t.Value}'"));
        return remarks;
    }

    /// <summary>The type's documentation XML as the compiler gives it to an IDE (GetDocumentationCommentXml).</summary>
    private static XElement MergedDoc(string source)
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n" + source);
        var type = result.Output.GetTypeByMetadataName("Net")!;
        return XElement.Parse(type.GetDocumentationCommentXml()!);
    }
}
