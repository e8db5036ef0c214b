using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Xunit;

namespace Mnist.Dsl.CodeFixes.Tests;

/// <summary>
/// Each fix, as the IDE applies it: the before-source gets the diagnostic, the fix offers one action, and the
/// after-source is exactly the expected text; the analyzer then reports neither the fixed diagnostic nor any
/// it did not report before, and the fixed code compiles with the generator's output for it. Then the cases
/// where a fix is not offered because it would not help, and Fix All.
/// </summary>
public class CodeFixTests
{
    // ---- MNIST0002: BatchNorm2d after the first convolution (and its ReLU) ----

    [Fact]
    public Task BatchNorm_goes_after_the_first_convolution_and_the_ReLU_that_follows_it() => AssertFixed(
        new AddBlockLayerCodeFixProvider(), "MNIST0002", AddBlockLayerCodeFixProvider.AddBatchNormKey,
        """
        using Mnist.Dsl;

        namespace Nets;

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]   // 28 → 26 → 13
        [Conv2d(16, 3), ReLU]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class NoBatchNorm;
        """,
        "[Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]   // 28 → 26 → 13",
        "[Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]   // 28 → 26 → 13");

    /// <summary>Other spellings of the same declaration; the added attribute is written so that it binds there too.</summary>
    [Theory]
    [InlineData("using Mnist.Dsl;",
        "[Network(1, 28, 28)]", "[Conv2dAttribute(8, 3), ReLUAttribute, Dropout(0.1), MaxPool2d(2)]",
        "[Conv2dAttribute(8, 3), ReLUAttribute, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]")]
    [InlineData("using D = Mnist.Dsl;",
        "[D.Network(1, 28, 28)]", "[D.Conv2d(8, 3), D.ReLU, D.Dropout(0.1), D.MaxPool2d(2)]",
        "[D.Conv2d(8, 3), D.ReLU, D.BatchNorm2d, D.Dropout(0.1), D.MaxPool2d(2)]")]
    [InlineData("",
        "[Mnist.Dsl.Network(1, 28, 28)]", "[Mnist.Dsl.Conv2dAttribute(8, 3), Mnist.Dsl.Dropout(0.1), Mnist.Dsl.MaxPool2d(2)]",
        "[Mnist.Dsl.Conv2dAttribute(8, 3), Mnist.Dsl.BatchNorm2d, Mnist.Dsl.Dropout(0.1), Mnist.Dsl.MaxPool2d(2)]")]
    // The diagnostic sits on the Requires argument here; without a ReLU after the convolution, BatchNorm2d follows the convolution.
    [InlineData("using Mnist.Dsl;",
        "[Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout)]", "[Conv2d(8, 3), Dropout(0.1), MaxPool2d(2)]",
        "[Conv2d(8, 3), BatchNorm2d, Dropout(0.1), MaxPool2d(2)]")]
    public Task BatchNorm_is_added_whatever_the_spelling_of_the_attributes(string usings, string network, string firstBlock, string fixedBlock)
    {
        var qualifier = network.StartsWith("[D.", StringComparison.Ordinal) ? "D." : network.StartsWith("[Mnist.", StringComparison.Ordinal) ? "Mnist.Dsl." : "";
        string Source(string block) => $"""
            {usings}

            {network}
            {block}
            [{qualifier}Conv2d(16, 3), {qualifier}ReLU]
            [{qualifier}GlobalAvgPool2d, {qualifier}Linear(10), {qualifier}LogSoftmax]
            public partial class NoBatchNorm;
            """;
        return AssertFixed(new AddBlockLayerCodeFixProvider(), "MNIST0002", AddBlockLayerCodeFixProvider.AddBatchNormKey, Source(firstBlock), Source(fixedBlock));
    }

    [Fact]
    public Task BatchNorm_is_not_offered_for_a_network_without_a_convolution() => AssertNotOffered(
        new AddBlockLayerCodeFixProvider(), "MNIST0002", """
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.FullyConnected)]
        [Flatten, Linear(16), ReLU, Dropout(0.1), Linear(10), LogSoftmax]
        public partial class Dense;
        """);

    /// <summary>1,418 parameters without BatchNorm; BatchNorm2d(8) adds 16. Under a budget of 1,419 (at most 1,418) the fix would trade MNIST0002 for MNIST0001.</summary>
    [Theory]
    [InlineData(1_419, false)]
    [InlineData(1_435, true)]
    public async Task BatchNorm_is_offered_only_when_it_keeps_the_parameter_budget(int budget, bool offered)
    {
        var document = CodeFixHarness.CreateDocument($$"""
            using Mnist.Dsl;

            [Network(1, 28, 28, ParameterBudget = {{budget}})]
            [Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class Tight;
            """);
        var diagnostic = Assert.Single(await CodeFixHarness.AnalyzeAsync(document));
        Assert.Equal("MNIST0002", diagnostic.Id);

        var actions = await CodeFixHarness.ActionsAsync(document, new AddBlockLayerCodeFixProvider(), diagnostic);

        Assert.Equal(offered ? 1 : 0, actions.Length);
    }

    // ---- MNIST0003: Dropout(0.1) after the first BatchNorm, else after the first convolution (and its ReLU) ----

    [Fact]
    public Task Dropout_goes_after_the_first_BatchNorm() => AssertFixed(
        new AddBlockLayerCodeFixProvider(), "MNIST0003", AddBlockLayerCodeFixProvider.AddDropoutKey,
        """
        using Mnist.Dsl;

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class NoDropout;
        """,
        "[Conv2d(8, 3), ReLU, BatchNorm2d, MaxPool2d(2)]",
        "[Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]");

    /// <summary>Seed 001's Conv → BatchNorm → ReLU order: the Dropout still follows the BatchNorm, at the end of its list.</summary>
    [Fact]
    public Task Dropout_follows_a_BatchNorm_that_ends_its_attribute_list() => AssertFixed(
        new AddBlockLayerCodeFixProvider(), "MNIST0003", AddBlockLayerCodeFixProvider.AddDropoutKey,
        """
        using Mnist.Dsl;

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU(Functional = true), BatchNorm2d]
        [MaxPool2d(2), Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class NoDropout;
        """,
        "[Conv2d(8, 3), ReLU(Functional = true), BatchNorm2d]",
        "[Conv2d(8, 3), ReLU(Functional = true), BatchNorm2d, Dropout(0.1)]");

    [Fact]
    public Task Dropout_goes_after_the_first_convolution_and_its_ReLU_when_there_is_no_BatchNorm() => AssertFixed(
        new AddBlockLayerCodeFixProvider(), "MNIST0003", AddBlockLayerCodeFixProvider.AddDropoutKey,
        """
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.Dropout | RequiredLayers.GlobalAvgPool | RequiredLayers.FullyConnected)]
        [Conv2d(8, 3), ReLU, MaxPool2d(2)]
        [Conv2d(16, 3), ReLU]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class NoDropout;
        """,
        "[Conv2d(8, 3), ReLU, MaxPool2d(2)]",
        "[Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]");

    [Fact]
    public Task Dropout_is_not_offered_for_a_network_with_neither_a_BatchNorm_nor_a_convolution() => AssertNotOffered(
        new AddBlockLayerCodeFixProvider(), "MNIST0003", """
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.Dropout | RequiredLayers.FullyConnected)]
        [Flatten, Linear(16), ReLU, Linear(10), LogSoftmax]
        public partial class Dense;
        """);

    // ---- MNIST0004 / MNIST0005: the GlobalAvgPool2d, Linear(Classes) head ----

    /// <summary>A network that ends in a map: both diagnostics (and MNIST0010) go, whichever of the two is fixed.</summary>
    [Theory]
    [InlineData("MNIST0004")]
    [InlineData("MNIST0005")]
    public Task The_head_goes_before_a_final_LogSoftmax_in_its_list(string id) => AssertHeadFixed(
        id, AddClassifierHeadCodeFixProvider.AddPoolingAndLinearKey,
        "[LogSoftmax]", "[GlobalAvgPool2d, Linear(10), LogSoftmax]");

    /// <summary>No LogSoftmax: a new attribute list on its own line, indented as the one before it, after that line's comment; Classes from [Network]; the file's line endings.</summary>
    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public Task The_head_goes_on_a_line_of_its_own_when_nothing_follows_the_map(string newline) => AssertFixed(
        new AddClassifierHeadCodeFixProvider(), "MNIST0004", AddClassifierHeadCodeFixProvider.AddPoolingAndLinearKey,
        """
        using Mnist.Dsl;

        namespace Nets
        {
            [Network(1, 28, 28, Classes = 5)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d]  // 13 → 11
            public partial class Headless;
        }
        """.ReplaceLineEndings(newline),
        """
        using Mnist.Dsl;

        namespace Nets
        {
            [Network(1, 28, 28, Classes = 5)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d]  // 13 → 11
            [GlobalAvgPool2d, Linear(5)]
            public partial class Headless;
        }
        """.ReplaceLineEndings(newline));

    [Fact]
    public Task Only_Linear_is_added_when_the_network_already_pools_globally() => AssertHeadFixed(
        "MNIST0005", AddClassifierHeadCodeFixProvider.AddLinearKey,
        "[Conv2d(10, 1), GlobalAvgPool2d, LogSoftmax]", "[Conv2d(10, 1), GlobalAvgPool2d, Linear(10), LogSoftmax]");

    /// <summary>An average pool over the whole 11×11 map counts as global pooling; with nothing after it, Linear joins its list.</summary>
    [Fact]
    public Task Only_Linear_is_added_after_an_average_pool_over_the_whole_map() => AssertHeadFixed(
        "MNIST0005", AddClassifierHeadCodeFixProvider.AddLinearKey,
        "[AvgPool2d(11)]", "[AvgPool2d(11), Linear(10)]");

    /// <summary>Global pooling switched off and a network that ends in a vector: Linear takes it as it is.</summary>
    [Fact]
    public Task Only_Linear_is_added_when_the_network_ends_in_a_vector_and_needs_no_pooling() => AssertFixed(
        new AddClassifierHeadCodeFixProvider(), "MNIST0005", AddClassifierHeadCodeFixProvider.AddLinearKey,
        """
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.FullyConnected)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(4, 3), ReLU, BatchNorm2d]
        [Flatten, LogSoftmax]
        public partial class Flattened;
        """,
        "[Flatten, LogSoftmax]",
        "[Flatten, Linear(10), LogSoftmax]");

    /// <summary>Global pooling switched off, but Linear cannot take the 16×11×11 map the network ends in: the head pools first.</summary>
    [Fact]
    public Task The_head_pools_a_map_even_when_global_pooling_is_not_required() => AssertHeadFixed(
        "MNIST0005", AddClassifierHeadCodeFixProvider.AddPoolingAndLinearKey,
        "[LogSoftmax]", "[GlobalAvgPool2d, Linear(10), LogSoftmax]",
        ", Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.FullyConnected");

    /// <summary>Seed 001's "CNN only" model, which ends in a 10×1×1 map, asked for a fully connected layer but not for pooling: Linear takes the 1×1 map as it is.</summary>
    [Fact]
    public Task Only_Linear_is_added_to_a_1x1_map_when_global_pooling_is_not_required() => AssertFixed(
        new AddClassifierHeadCodeFixProvider(), "MNIST0005", AddClassifierHeadCodeFixProvider.AddLinearKey,
        """
        using Mnist.Dsl;

        [Network(1, 28, 28, Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout | RequiredLayers.FullyConnected)]
        [Conv2d(16, 3), ReLU(Functional = true), BatchNorm2d]
        [Conv2d(32, 3), ReLU(Functional = true), BatchNorm2d, MaxPool2d(2)]
        [Conv2d(10, 3), ReLU(Functional = true), BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(10, 3), ReLU(Functional = true), Dropout(0.1)]
        [Conv2d(10, 3), LogSoftmax(Functional = true)]
        public partial class Seed001Model2;
        """,
        "[Conv2d(10, 3), LogSoftmax(Functional = true)]",
        "[Conv2d(10, 3), Linear(10), LogSoftmax(Functional = true)]");

    /// <summary>A Flatten → Linear head: which layers global pooling would replace is not obvious.</summary>
    [Fact]
    public Task Global_pooling_is_not_offered_when_the_network_has_a_Linear_already() => AssertNotOffered(
        new AddClassifierHeadCodeFixProvider(), "MNIST0004", """
        using Mnist.Dsl;

        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(16, 3, Stride = 2), ReLU, BatchNorm2d]
        [Flatten, Linear(10), LogSoftmax]
        public partial class NoGlobalPooling;
        """);

    /// <summary>1,466 parameters; Linear(10) over 10 features adds 110. Under a budget of 1,467 (at most 1,466) the fix would trade MNIST0005 for MNIST0001.</summary>
    [Theory]
    [InlineData(1_467, false)]
    [InlineData(1_577, true)]
    public async Task Linear_is_offered_only_when_it_keeps_the_parameter_budget(int budget, bool offered)
    {
        var document = CodeFixHarness.CreateDocument(Headless("[Conv2d(10, 1), GlobalAvgPool2d, LogSoftmax]", $", ParameterBudget = {budget}"));
        var diagnostic = Assert.Single(await CodeFixHarness.AnalyzeAsync(document));
        Assert.Equal("MNIST0005", diagnostic.Id);

        var actions = await CodeFixHarness.ActionsAsync(document, new AddClassifierHeadCodeFixProvider(), diagnostic);

        Assert.Equal(offered ? 1 : 0, actions.Length);
    }

    // ---- Declarations the fixes leave alone ----

    /// <summary>Layers on two parts of a partial class (in two files they run in file-path order): an insertion into one part is not obviously right.</summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task No_fix_is_offered_when_the_layers_are_spread_over_partial_declarations(bool sameFile)
    {
        const string first = """
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, MaxPool2d(2)]
            public partial class Split;

            """;
        const string second = """
            [Mnist.Dsl.Conv2d(16, 3), Mnist.Dsl.ReLU]
            public partial class Split;
            """;
        var document = sameFile ? CodeFixHarness.CreateDocument(first + second) : CodeFixHarness.CreateDocument(first, second);
        var diagnostics = await CodeFixHarness.AnalyzeAsync(document);
        // MNIST0010 is reported at the last layer, in the second part (so in another file when there are two).
        Assert.Equal(sameFile ? new[] { "MNIST0002", "MNIST0003", "MNIST0004", "MNIST0005", "MNIST0010", "MNIST0014" } : new[] { "MNIST0002", "MNIST0003", "MNIST0004", "MNIST0005", "MNIST0014" },
            diagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal));

        foreach (var provider in new CodeFixProvider[] { new AddBlockLayerCodeFixProvider(), new AddClassifierHeadCodeFixProvider() })
            foreach (var diagnostic in diagnostics.Where(d => provider.FixableDiagnosticIds.Contains(d.Id)))
                Assert.Empty(await CodeFixHarness.ActionsAsync(document, provider, diagnostic));
    }

    // ---- Fix All ----

    [Fact]
    public async Task Fix_all_adds_BatchNorm_to_every_network_of_the_document()
    {
        var document = CodeFixHarness.CreateDocument("""
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class First;

            [Network(1, 28, 28)]
            [Conv2d(4, 3), Dropout(0.1), MaxPool2d(2), Conv2d(8, 3), GlobalAvgPool2d, Linear(10)]
            public partial class Second;
            """);
        Assert.Equal(new[] { "MNIST0002", "MNIST0002" }, (await CodeFixHarness.AnalyzeAsync(document)).Select(d => d.Id));

        var fixedDocument = await CodeFixHarness.FixAllAsync(document, new AddBlockLayerCodeFixProvider(), AddBlockLayerCodeFixProvider.AddBatchNormKey, "MNIST0002");

        Assert.Equal("""
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class First;

            [Network(1, 28, 28)]
            [Conv2d(4, 3), BatchNorm2d, Dropout(0.1), MaxPool2d(2), Conv2d(8, 3), GlobalAvgPool2d, Linear(10)]
            public partial class Second;
            """, await CodeFixHarness.TextAsync(fixedDocument));
        Assert.Empty(await CodeFixHarness.AnalyzeAsync(fixedDocument));
    }

    /// <summary>MNIST0004 and MNIST0005 on one network plan the same head: Fix All over both adds it once, and only where the head is the fix chosen.</summary>
    [Fact]
    public async Task Fix_all_adds_one_head_for_both_diagnostics_of_a_network()
    {
        var document = CodeFixHarness.CreateDocument("""
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d, LogSoftmax]
            public partial class Headless;

            [Network(1, 28, 28, Classes = 3)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2), Conv2d(16, 3)]
            public partial class AlsoHeadless;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2), Conv2d(16, 3), GlobalAvgPool2d]
            public partial class Pooled;
            """);
        // Each: no pooling, no Linear, a receptive field short of the image (at [Network]), a map for output (at the last layer).
        Assert.Equal(new[] { "MNIST0004", "MNIST0005", "MNIST0014", "MNIST0010", "MNIST0004", "MNIST0005", "MNIST0014", "MNIST0010", "MNIST0005", "MNIST0010" },
            (await CodeFixHarness.AnalyzeAsync(document)).OrderBy(d => d.Location.SourceSpan.Start).ThenBy(d => d.Id, StringComparer.Ordinal).Select(d => d.Id));

        var fixedDocument = await CodeFixHarness.FixAllAsync(document, new AddClassifierHeadCodeFixProvider(),
            AddClassifierHeadCodeFixProvider.AddPoolingAndLinearKey, "MNIST0004", "MNIST0005");

        Assert.Equal("""
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d, GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class Headless;

            [Network(1, 28, 28, Classes = 3)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2), Conv2d(16, 3)]
            [GlobalAvgPool2d, Linear(3)]
            public partial class AlsoHeadless;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2), Conv2d(16, 3), GlobalAvgPool2d]
            public partial class Pooled;
            """, await CodeFixHarness.TextAsync(fixedDocument));
        // Pooled's fix (Linear alone) has another equivalence key: Fix All for this one leaves it.
        var left = await CodeFixHarness.AnalyzeAsync(fixedDocument);
        Assert.Equal(new[] { "MNIST0005", "MNIST0010" }, left.Select(d => d.Id));
        Assert.All(left, d => Assert.StartsWith("Pooled ", d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    // ---- The providers as the IDE finds them ----

    [Fact]
    public void Every_provider_is_exported_for_CSharp_and_fixes_diagnostics_of_the_catalog()
    {
        var providers = typeof(LayerInsertionCodeFixProvider).Assembly.GetTypes()
            .Where(t => typeof(CodeFixProvider).IsAssignableFrom(t) && !t.IsAbstract)
            .ToArray();
        Assert.Equal(2, providers.Length); // the block layers (MNIST0002, MNIST0003) and the classifier head (MNIST0004, MNIST0005)
        var catalog = Mnist.Dsl.Analyzers.DiagnosticDescriptors.All.Select(d => d.Id).ToHashSet();
        foreach (var type in providers)
        {
            var export = Assert.Single(type.GetCustomAttributes(typeof(ExportCodeFixProviderAttribute), false).Cast<ExportCodeFixProviderAttribute>());
            Assert.Equal(new[] { LanguageNames.CSharp }, export.Languages);
            var provider = (CodeFixProvider)Activator.CreateInstance(type)!;
            Assert.NotEmpty(provider.FixableDiagnosticIds);
            Assert.All(provider.FixableDiagnosticIds, id => Assert.Contains(id, catalog));
            Assert.NotNull(provider.GetFixAllProvider());
        }
        Assert.Equal(new[] { "MNIST0002", "MNIST0003", "MNIST0004", "MNIST0005" },
            providers.SelectMany(t => ((CodeFixProvider)Activator.CreateInstance(t)!).FixableDiagnosticIds).OrderBy(id => id, StringComparer.Ordinal));
    }

    // ---- helpers ----

    /// <summary>
    /// <paramref name="before"/> gets diagnostic <paramref name="id"/> once; <paramref name="provider"/> offers one
    /// action for it, with <paramref name="key"/>; applied, it gives exactly <paramref name="after"/>, on which the
    /// analyzer reports nothing (each case is written so that the fix leaves a valid network), and which compiles
    /// with the generator's module for it (the generator emits nothing for a rejected network).
    /// </summary>
    private static async Task AssertFixed(CodeFixProvider provider, string id, string key, string before, string after)
    {
        var document = CodeFixHarness.CreateDocument(before);
        var diagnostic = Assert.Single(await CodeFixHarness.AnalyzeAsync(document), d => d.Id == id);

        var action = Assert.Single(await CodeFixHarness.ActionsAsync(document, provider, diagnostic));
        Assert.Equal(key, action.EquivalenceKey);
        var fixedDocument = await CodeFixHarness.ApplyAsync(document, action);

        Assert.Equal(after, await CodeFixHarness.TextAsync(fixedDocument));
        Assert.Empty((await CodeFixHarness.AnalyzeAsync(fixedDocument)).Select(d => d.ToString()));
        var (errors, generated) = await CodeFixHarness.BuildAsync(fixedDocument);
        Assert.Empty(errors.Select(d => d.ToString()));
        // The fixed network gets its module file and its inference class's file, and the compilation its registry.
        Assert.Equal(3, generated.Length);
        Assert.Single(generated, g => g.EndsWith("Inference.g.cs", System.StringComparison.Ordinal));
        Assert.Single(generated, g => g == "Mnist.Dsl.NetworkRegistry.g.cs");
    }

    /// <summary>
    /// <see cref="AssertFixed(CodeFixProvider, string, string, string, string)"/> for a fix that edits one line: the
    /// after-source is <paramref name="before"/> with <paramref name="line"/>, which it holds once, written as
    /// <paramref name="fixedLine"/>.
    /// </summary>
    private static Task AssertFixed(CodeFixProvider provider, string id, string key, string before, string line, string fixedLine)
    {
        var at = before.IndexOf(line, StringComparison.Ordinal);
        Assert.True(at >= 0 && before.IndexOf(line, at + 1, StringComparison.Ordinal) < 0, $"the before-source holds \"{line}\" once");
        return AssertFixed(provider, id, key, before, before.Replace(line, fixedLine));
    }

    /// <summary>
    /// The classifier-head cases' network: two blocks that end in a 16×11×11 map, then <paramref name="tail"/> (an
    /// attribute list); <paramref name="network"/> follows the input shape in [Network].
    /// </summary>
    private static string Headless(string tail, string network = "") => $"""
        using Mnist.Dsl;

        [Network(1, 28, 28{network})]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        {tail}
        public partial class Headless;
        """;

    /// <summary>The classifier-head fix on <see cref="Headless"/>: it rewrites <paramref name="tail"/> as <paramref name="fixedTail"/>, with <paramref name="key"/>.</summary>
    private static Task AssertHeadFixed(string id, string key, string tail, string fixedTail, string network = "") =>
        AssertFixed(new AddClassifierHeadCodeFixProvider(), id, key, Headless(tail, network), tail, fixedTail);

    private static async Task AssertNotOffered(CodeFixProvider provider, string id, string source)
    {
        var document = CodeFixHarness.CreateDocument(source);
        var diagnostic = Assert.Single(await CodeFixHarness.AnalyzeAsync(document), d => d.Id == id);

        Assert.Empty(await CodeFixHarness.ActionsAsync(document, provider, diagnostic));
    }
}
