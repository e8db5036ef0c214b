using System.Linq;
using System.Xml.Linq;
using Mnist.Dsl.Testing;
using Xunit;

namespace Mnist.Dsl.Generator.Tests;

/// <summary>
/// The network's documentation as Roslyn merges it (docs/editor.md): the compiler concatenates the doc comments of a
/// partial type's parts, the user's first; Roslyn's Quick Info keeps only the first &lt;summary&gt; and the first
/// &lt;remarks&gt;, so the generated remarks must carry the numbers and the table on their own, and csharp-ls's
/// Markdown needs every text block around the table's &lt;code&gt; in a &lt;para&gt;.
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
    public void With_the_users_summary_first_the_first_remarks_are_the_generated_numbers_and_table()
    {
        var doc = MergedDoc("/// <summary>The user's own words.</summary>\n" + Layers + "public partial class Net;");

        var summaries = doc.Elements("summary").ToList();
        Assert.Equal(2, summaries.Count);
        Assert.Equal("The user's own words.", summaries[0].Value);
        Assert.StartsWith("Net: 1,466 parameters, output [-1, 10], receptive field 28×28", summaries[1].Value.Trim());
        AssertRemarksCarryEverything(doc);
    }

    [Fact]
    public void Without_a_users_comment_the_summary_is_the_generated_one()
    {
        var doc = MergedDoc(Layers + "public partial class Net;");

        Assert.StartsWith("Net: 1,466 parameters", Assert.Single(doc.Elements("summary")).Value.Trim());
        AssertRemarksCarryEverything(doc);
    }

    private static void AssertRemarksCarryEverything(XElement doc)
    {
        var remarks = doc.Elements("remarks").First();
        Assert.Contains("1,466 parameters, output [-1, 10], receptive field 28×28", remarks.Value);
        var code = Assert.Single(remarks.Elements("code"));
        Assert.Contains("Total params: 1,466", code.Value);
        // Text directly beside <code> would be glued to the Markdown fence: every sibling is an element, a <para>.
        Assert.All(remarks.Nodes().OfType<XText>(), t => Assert.True(string.IsNullOrWhiteSpace(t.Value), $"bare text in <remarks>: '{t.Value}'"));
        Assert.All(remarks.Elements().Where(e => e.Name != "code"), e => Assert.Equal("para", e.Name.LocalName));
    }

    /// <summary>The type's documentation XML as the compiler gives it to an IDE (GetDocumentationCommentXml).</summary>
    private static XElement MergedDoc(string source)
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n" + source);
        var type = result.Output.GetTypeByMetadataName("Net")!;
        return XElement.Parse(type.GetDocumentationCommentXml()!);
    }
}
