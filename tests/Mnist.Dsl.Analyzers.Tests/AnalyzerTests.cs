using Mnist.Dsl.Testing;
using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;
using Mnist.Dsl.Analyzers;
using Xunit;

namespace Mnist.Dsl.Analyzers.Tests;

/// <summary>
/// Every diagnostic of the catalog, reported by the analyzer with its ID and severity, at the attribute or
/// argument at fault, with a message that names the numbers. Sources are written in a markup where [|...|]
/// marks the text the diagnostic must point at (Roslyn's testing convention), so both the position and the
/// text of the span are checked: an argument's text alone could occur twice.
/// </summary>
public class AnalyzerTests
{
    /// <summary>A network that keeps every rule: receptive field 28 (global pooling over 11×11 with jump 2), 1,466 parameters.</summary>
    private const string ValidLayers = """
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        """;

    /// <summary>One case per diagnostic (several for some): the markup source and the exact message expected.</summary>
    private sealed record Case(string Id, string Markup, string Message);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // 784·27 + 27 = 21,195 and 27·10 + 10 = 280: 21,475 parameters; Flatten + Linear sees all 28×28 pixels.
        ["MNIST0001 over the default budget, at the Network attribute"] = new("MNIST0001", """
            [[|Network(1, 28, 28, Requires = RequiredLayers.None)|]]
            [Flatten, Linear(27), Linear(10)]
            public partial class Wide;
            """, "Wide has 21,475 parameters, 1,476 too many for its budget of fewer than 20,000"),
        ["MNIST0001 over a declared budget, at ParameterBudget"] = new("MNIST0001", """
            [Network(1, 28, 28, Requires = RequiredLayers.None, [|ParameterBudget = 15_000|])]
            [Flatten, Linear(27), Linear(10)]
            public partial class Wide;
            """, "Wide has 21,475 parameters, 6,476 too many for its budget of fewer than 15,000"),
        ["MNIST0002 no BatchNorm, at the Network attribute"] = new("MNIST0002", """
            [[|Network(1, 28, 28)|]]
            [Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class NoBatchNorm;
            """, "NoBatchNorm has no BatchNorm layer; the assignment requires one (or leave RequiredLayers.BatchNorm out of Requires to switch this rule off for this network)"),
        ["MNIST0002 no BatchNorm, at the Requires argument that asks for it"] = new("MNIST0002", """
            [Network(1, 28, 28, [|Requires = RequiredLayers.BatchNorm | RequiredLayers.Dropout|])]
            [Conv2d(8, 3), ReLU, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class NoBatchNorm;
            """, "NoBatchNorm has no BatchNorm layer; the assignment requires one (or leave RequiredLayers.BatchNorm out of Requires to switch this rule off for this network)"),
        ["MNIST0003 no Dropout"] = new("MNIST0003", """
            [[|Network(1, 28, 28)|]]
            [Conv2d(8, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d]
            [GlobalAvgPool2d, Linear(10), LogSoftmax]
            public partial class NoDropout;
            """, "NoDropout has no Dropout layer; the assignment requires one (or leave RequiredLayers.Dropout out of Requires to switch this rule off for this network)"),
        // The strided convolution leaves 6×6 (receptive field 8, jump 4); the Linear over it sees 8 + 5·4 = 28 pixels.
        ["MNIST0004 no global average pooling"] = new("MNIST0004", """
            [[|Network(1, 28, 28)|]]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3, Stride = 2), ReLU, BatchNorm2d]
            [Flatten, Linear(10), LogSoftmax]
            public partial class NoGlobalPooling;
            """, "NoGlobalPooling has no global average pooling (GlobalAvgPool2d); the assignment requires one (or leave RequiredLayers.GlobalAvgPool out of Requires to switch this rule off for this network)"),
        ["MNIST0005 no fully connected layer"] = new("MNIST0005", """
            [[|Network(1, 28, 28)|]]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d]
            [Conv2d(10, 1), GlobalAvgPool2d, LogSoftmax]
            public partial class NoFullyConnected;
            """, "NoFullyConnected has no fully connected layer (Linear); the assignment requires one (or leave RequiredLayers.FullyConnected out of Requires to switch this rule off for this network)"),
        ["MNIST0006 convolution kernel larger than its input, at KernelSize"] = new("MNIST0006", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, [|29|]), Flatten, Linear(10)]
            public partial class BigKernel;
            """, "Conv2d (layer 1 of BigKernel) has a 29×29 kernel but its input is 28×28"),
        ["MNIST0006 padded kernel given by parameter name, at kernelSize:"] = new("MNIST0006", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), Conv2d(outChannels: 8, [|kernelSize: 29|], Padding = 1), Flatten, Linear(10)]
            public partial class BigKernel;
            """, "Conv2d (layer 2 of BigKernel) has a 29×29 kernel but its input is 26×26 (28×28 padded)"),
        ["MNIST0006 pooling window larger than its input"] = new("MNIST0006", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3, Stride = 8), MaxPool2d([|5|]), Flatten, Linear(10)]
            public partial class BigPool;
            """, "MaxPool2d (layer 2 of BigPool) has a 5×5 kernel but its input is 4×4"),
        ["MNIST0007 zero output channels, at OutChannels"] = new("MNIST0007", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d([|0|], 3), Flatten, Linear(10)]
            public partial class Hollow;
            """, "Conv2d (layer 1 of Hollow) has OutChannels = 0; it must be positive"),
        ["MNIST0007 zero stride, at Stride"] = new("MNIST0007", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3, [|Stride = 0|]), Flatten, Linear(10)]
            public partial class Stuck;
            """, "Conv2d (layer 1 of Stuck) has Stride = 0; it must be positive"),
        ["MNIST0007 negative padding, at Padding"] = new("MNIST0007", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3, [|Padding = -1|]), Flatten, Linear(10)]
            public partial class Shrunk;
            """, "Conv2d (layer 1 of Shrunk) has Padding = -1; it must not be negative"),
        ["MNIST0007 negative features, at OutFeatures"] = new("MNIST0007", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, Linear([|-5|])]
            public partial class Negative;
            """, "Linear (layer 2 of Negative) has OutFeatures = -5; it must be positive"),
        ["MNIST0007 negative pooling stride, at Stride"] = new("MNIST0007", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), MaxPool2d(2, [|Stride = -1|]), Flatten, Linear(10)]
            public partial class Backwards;
            """, "MaxPool2d (layer 2 of Backwards) has Stride = -1; it must be positive (or 0 for the kernel size)"),
        ["MNIST0007 zero input channels, at the Network attribute's channels"] = new("MNIST0007", """
            [Network([|0|], 28, 28, Requires = RequiredLayers.None)]
            [Flatten, Linear(10)]
            public partial class Blind;
            """, "Blind has Channels = 0; its input sizes must be positive"),
        ["MNIST0007 negative input height, at the Network attribute's height"] = new("MNIST0007", """
            [Network(1, [|-28|], 28, Requires = RequiredLayers.None)]
            [Flatten, Linear(10)]
            public partial class Flat;
            """, "Flat has Height = -28; its input sizes must be positive"),
        ["MNIST0008 wrong InChannels, at InChannels"] = new("MNIST0008", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3, [|InChannels = 3|]), Flatten, Linear(10)]
            public partial class Rgb;
            """, "Conv2d (layer 1 of Rgb) declares InChannels = 3 but the layer before it gives 1 channels"),
        ["MNIST0008 wrong InFeatures, at InFeatures"] = new("MNIST0008", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, Linear(10, [|InFeatures = 100|])]
            public partial class Narrow;
            """, "Linear (layer 2 of Narrow) declares InFeatures = 100 but the layer before it gives 784 features"),
        ["MNIST0009 convolution after Flatten"] = new("MNIST0009", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, [|Conv2d(8, 3)|], Linear(10)]
            public partial class Unrolled;
            """, "Conv2d (layer 2 of Unrolled) needs a [C, H, W] map but its input is the vector [-1, 784]"),
        ["MNIST0009 BatchNorm1d on a map"] = new("MNIST0009", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), [|BatchNorm1d|], Flatten, Linear(10)]
            public partial class WrongNorm;
            """, "BatchNorm1d (layer 2 of WrongNorm) needs a [features] vector but its input is the map [-1, 8, 26, 26]; use BatchNorm2d, or Flatten first"),
        ["MNIST0009 Linear on a map"] = new("MNIST0009", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), [|Linear(10)|]]
            public partial class Unflattened;
            """, "Linear (layer 2 of Unflattened) gets the map [-1, 8, 26, 26]; put Flatten or GlobalAvgPool2d before it"),
        // The 28×28 kernel with padding 1 sees the whole image and leaves a 3×3 map.
        ["MNIST0010 ends with a map, at the last layer"] = new("MNIST0010", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(10, 28, Padding = 1), [|ReLU|]]
            public partial class Mapped;
            """, "Mapped ends with the map [-1, 10, 3, 3]; its output must be [-1, 10] (one value per class): add GlobalAvgPool2d or Flatten, and a Linear(10)"),
        ["MNIST0010 wrong number of outputs, at the last Linear's OutFeatures"] = new("MNIST0010", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, Linear([|5|])]
            public partial class FiveWay;
            """, "FiveWay produces 5 outputs per image but has 10 classes"),
        ["MNIST0010 wrong number of outputs, at the last convolution's OutChannels"] = new("MNIST0010", """
            [Network(1, 28, 28, Classes = 2, Requires = RequiredLayers.None)]
            [Conv2d([|10|], 28), LogSoftmax]
            public partial class Binary;
            """, "Binary produces 10 outputs per image but has 2 classes"),
        ["MNIST0011 dropout probability of 1.5, at p"] = new("MNIST0011", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, Dropout([|1.5|]), Linear(10)]
            public partial class Leaky;
            """, "Dropout (layer 2 of Leaky) has p = 1.5; a dropout probability must be in [0, 1)"),
        ["MNIST0011 momentum of 2, at Momentum"] = new("MNIST0011", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), BatchNorm2d([|Momentum = 2|]), Flatten, Linear(10)]
            public partial class Restless;
            """, "BatchNorm2d (layer 2 of Restless) has Momentum = 2; it must be in [0, 1]"),
        ["MNIST0011 zero epsilon, at Eps"] = new("MNIST0011", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), BatchNorm2d([|Eps = 0|]), Flatten, Linear(10)]
            public partial class Unguarded;
            """, "BatchNorm2d (layer 2 of Unguarded) has Eps = 0; it must be positive and finite"),
        // 1.0 / 0 is a legal constant (+∞); the emitter once printed it as "Infinity.0", which does not compile.
        ["MNIST0011 infinite epsilon, at Eps"] = new("MNIST0011", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Flatten, BatchNorm1d([|Eps = 1.0 / 0|]), Linear(10)]
            public partial class Infinite;
            """, "BatchNorm1d (layer 2 of Infinite) has Eps = Infinity; it must be positive and finite"),
        // 28 + 2·10⁹ - 3 + 1 rows and columns: the multiply-adds (and the map) overflow 64 bits.
        ["MNIST0011 sizes that overflow, at the layer"] = new("MNIST0011", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [[|Conv2d(8, 3, Padding = 1_000_000_000)|], Flatten, Linear(10)]
            public partial class Vast;
            """, "Conv2d (layer 1 of Vast) gets the input [-1, 1, 28, 28] and has sizes too large to compute its output, parameters, multiply-adds or receptive field"),
        // Each convolution keeps the 46,340×46,340 map and has 46,341² weights: about 4.6·10¹⁸ multiply-adds
        // each, which fit in 64 bits one at a time but not added up.
        ["MNIST0011 totals that overflow, at the Network attribute"] = new("MNIST0011", """
            [[|Network(1, 46340, 46340, Requires = RequiredLayers.None)|]]
            [Conv2d(1, 46341, Padding = 23170), Conv2d(1, 46341, Padding = 23170), Conv2d(1, 46341, Padding = 23170)]
            [GlobalAvgPool2d, Linear(10)]
            public partial class Vast;
            """, "Vast's layers are too large: their total parameters, multiply-adds or activation sizes overflow"),
        ["MNIST0011 an input too large to index, at the Network attribute"] = new("MNIST0011", """
            [[|Network(50_000, 50_000, 50_000, Requires = RequiredLayers.None)|]]
            [GlobalAvgPool2d, Linear(10)]
            public partial class Vast;
            """, "Vast's input 50000×50000×50000 has 125,000,000,000,000 values per image, more than 2,147,483,647"),
        ["MNIST0012 class not partial, at its identifier"] = new("MNIST0012", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public class [|Plain|];
            """, "Plain must be declared partial (and so must every type it is nested in) so that the generator can add its module code"),
        ["MNIST0012 containing class not partial, at that class's identifier"] = new("MNIST0012", $$"""
            public class [|Outer|]
            {
                [Network(1, 28, 28)]
                {{ValidLayers}}
                public partial class Inner;
            }
            """, "Outer must be declared partial (and so must every type it is nested in) so that the generator can add its module code"),
        ["MNIST0013 generic class, at its identifier"] = new("MNIST0013", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public partial class [|Generic|]<T>;
            """, "Generic is generic or nested in a generic type; a network's shapes must be known at compile time, so declare it on a non-generic class"),
        ["MNIST0013 class nested in a generic one, at its identifier"] = new("MNIST0013", $$"""
            public partial class Outer<T>
            {
                [Network(1, 28, 28)]
                {{ValidLayers}}
                public partial class [|Inner|];
            }
            """, "Inner is generic or nested in a generic type; a network's shapes must be known at compile time, so declare it on a non-generic class"),
        // Receptive field 3, then 3 + 2·3 = 9 after the pool (jump 9), then 9 + 2·9 = 27.
        ["MNIST0014 receptive field smaller than the input, at the Network attribute"] = new("MNIST0014", """
            [[|Network(1, 28, 28, Requires = RequiredLayers.None)|]]
            [Conv2d(10, 3, Stride = 3), MaxPool2d(3), Conv2d(10, 3)]
            public partial class Myopic;
            """, "Myopic's receptive field at the output is 27×27 pixels, smaller than its 28×28 input: no output sees the whole image"),
        ["MNIST0015 no layers, at the Network attribute"] = new("MNIST0015", """
            [[|Network(1, 28, 28)|]]
            public partial class Empty;
            """, "Empty has [Network] but no layer attributes; add them after it, for example [Conv2d(8, 3), ReLU, BatchNorm2d]"),
        ["MNIST0016 static class, at its identifier"] = new("MNIST0016", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public static partial class [|Static|];
            """, "Static cannot hold a network: [Network] goes on a non-static, non-abstract partial class"),
        ["MNIST0016 abstract class, at its identifier"] = new("MNIST0016", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public abstract partial class [|Abstract|];
            """, "Abstract cannot hold a network: [Network] goes on a non-static, non-abstract partial class"),
        // The compiler also says CS0592 (the attributes are for classes); the analyzer says what to do instead.
        ["MNIST0016 struct, at its identifier"] = new("MNIST0016", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public partial struct [|Value|];
            """, "Value cannot hold a network: [Network] goes on a non-static, non-abstract partial class"),
        // The generator only completes class declarations; a record would silently get no module.
        ["MNIST0016 record, at its identifier"] = new("MNIST0016", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public partial record [|Entry|];
            """, "Entry cannot hold a network: [Network] goes on a non-static, non-abstract partial class"),
        // The generator emits nothing for it (its parameterless constructor would collide: CS0111, CS8862).
        ["MNIST0017 primary constructor, at its parameter list"] = new("MNIST0017", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            public partial class Configured[|(int width)|];
            """, "Configured has a primary constructor, but the generated module needs a parameterless one to register its layers; remove the parameter list and use fields or properties instead"),
        // Net declares no name, so only the network that declared the taken one is at fault.
        ["MNIST0018 registry name taken, ignoring case, at Name"] = new("MNIST0018", $$"""
            [Network(1, 28, 28, [|Name = "net"|])]
            {{ValidLayers}}
            public partial class Small;

            [Network(1, 28, 28)]
            {{ValidLayers}}
            public partial class Net;
            """, "Small is named \"net\", but Net has that name too (ignoring case); give each network its own Name"),
        // Generated code in another file cannot reach a file-local type: it would declare a second type of the same name.
        ["MNIST0019 file-local class, at its identifier"] = new("MNIST0019", $$"""
            [Network(1, 28, 28)]
            {{ValidLayers}}
            file partial class [|Local|];
            """, "Local is declared file, so the generated code, which is in another file, cannot add the network's module to it; remove the file modifier (make it internal to keep it out of other assemblies)"),
        ["MNIST0019 nested in a file-local class, at that class"] = new("MNIST0019", $$"""
            file partial class [|Outer|]
            {
                [Network(1, 28, 28)]
                {{ValidLayers}}
                internal partial class Inner;
            }
            """, "Outer is declared file, so the generated code, which is in another file, cannot add the network's module to it; remove the file modifier (make it internal to keep it out of other assemblies)"),
        ["MNIST0020 groups that divide neither channel count, at Groups"] = new("MNIST0020", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(16, 3), Conv2d(24, 3, [|Groups = 3|]), GlobalAvgPool2d, Linear(10)]
            public partial class Grouped;
            """, "Conv2d (layer 2 of Grouped) has Groups = 3, which must divide both its input channels (16) and its output channels (24): use 8, 4, 2 or 1"),
        ["MNIST0020 depthwise groups that miss the output channels"] = new("MNIST0020", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(8, 3), Conv2d(12, 3, [|Groups = 8|]), GlobalAvgPool2d, Linear(10)]
            public partial class Depthwise;
            """, "Conv2d (layer 2 of Depthwise) has Groups = 8, which must divide both its input channels (8) and its output channels (12): use 4, 2 or 1"),
        ["MNIST0020 zero groups, on equal channel counts"] = new("MNIST0020", """
            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d(6, 3), Conv2d(6, 3, [|Groups = 0|]), GlobalAvgPool2d, Linear(10)]
            public partial class NoGroups;
            """, "Conv2d (layer 2 of NoGroups) has Groups = 0, which must divide both its input channels (6) and its output channels (6): use 6, 3, 2 or 1 (6 is depthwise)"),
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_diagnostic_points_at_the_declaration_at_fault_and_names_the_numbers(string caseName)
    {
        var @case = Cases[caseName];
        var (source, spans) = Markup.Parse("using Mnist.Dsl;\n\n" + @case.Markup);

        var diagnostics = GeneratorHarness.Run(source).AnalyzerDiagnostics;

        // Exactly the one diagnostic: each case is written so that nothing else is wrong with it.
        var diagnostic = Only(diagnostics);
        Assert.Equal(@case.Id, diagnostic.Id);
        var descriptor = DiagnosticDescriptors.All.Single(d => d.Id == @case.Id);
        Assert.Equal(@case.Id == "MNIST0014" ? DiagnosticSeverity.Warning : DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(descriptor.DefaultSeverity, diagnostic.Severity);
        Assert.Equal(@case.Message, diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        AssertAt(source, Assert.Single(spans), diagnostic);
    }

    [Fact]
    public void Every_diagnostic_in_the_catalog_has_a_case_here()
    {
        var tested = Cases.Values.Select(c => c.Id).Distinct().OrderBy(id => id, StringComparer.Ordinal);
        var catalog = DiagnosticDescriptors.All.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal);

        Assert.Equal(catalog, tested);
    }

    [Fact]
    public void Every_descriptor_has_a_stable_id_a_title_and_a_fix_and_no_dead_help_link()
    {
        Assert.Equal(DiagnosticDescriptors.All.Length, DiagnosticDescriptors.All.Select(d => d.Id).Distinct().Count());
        Assert.All(DiagnosticDescriptors.All, d =>
        {
            Assert.Matches(@"^MNIST00\d\d$", d.Id);
            Assert.False(string.IsNullOrWhiteSpace(d.Title.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            // The project has no public home: a link would lead nowhere (the description carries the fix).
            Assert.True(string.IsNullOrEmpty(d.HelpLinkUri), $"{d.Id} links to {d.HelpLinkUri}");
            Assert.False(string.IsNullOrWhiteSpace(d.Description.ToString(System.Globalization.CultureInfo.InvariantCulture)), $"{d.Id} says no fix");
            Assert.True(d.IsEnabledByDefault);
        });
    }

    [Fact]
    public void Several_broken_sizes_in_one_layer_are_each_reported_at_their_own_argument()
    {
        var (source, spans) = Markup.Parse("""
            using Mnist.Dsl;

            [Network(1, 28, 28, Requires = RequiredLayers.None)]
            [Conv2d([|0|], [|-3|], [|Stride = 0|]), Flatten, Linear(10)]
            public partial class Broken;
            """);

        var diagnostics = GeneratorHarness.Run(source).AnalyzerDiagnostics.OrderBy(d => d.Location.SourceSpan.Start).ToArray();

        Assert.Equal(3, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("MNIST0007", d.Id));
        for (var i = 0; i < spans.Count; i++) AssertAt(source, spans[i], diagnostics[i]);
        Assert.Equal(
            new[] { "OutChannels = 0", "KernelSize = -3", "Stride = 0" },
            diagnostics.Select(d => Regex.Match(d.GetMessage(System.Globalization.CultureInfo.InvariantCulture), @"has (\w+ = -?\d+)").Groups[1].Value));
    }

    [Fact]
    public void A_valid_network_gets_no_diagnostic_and_its_module_compiles()
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n\nnamespace Valid;\n\n[Network(1, 28, 28)]\n" + ValidLayers + "\npublic partial class Net;\n");

        Assert.Empty(result.AnalyzerDiagnostics);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning));
        Assert.Contains("public const long ParameterCount = 1466;", result.Source("Net"));
    }

    /// <summary>A primary constructor leaves no room for the module's parameterless one: the generator emits nothing rather than code that cannot compile.</summary>
    [Theory]
    [InlineData("public partial class Net();")]
    [InlineData("public partial class Net(int width);")]
    public void A_class_with_a_primary_constructor_gets_no_generated_code(string declaration)
    {
        var result = GeneratorHarness.Run("using Mnist.Dsl;\n\nnamespace Valid;\n\n[Network(1, 28, 28)]\n" + ValidLayers + "\n" + declaration + "\n");

        Assert.Empty(result.Generated);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompilerDiagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
    }

    /// <summary>The seeds' "GAP(3)": an average pool whose window is the whole map counts as global pooling.</summary>
    [Fact]
    public void An_average_pool_over_the_whole_map_satisfies_the_global_pooling_rule()
    {
        var result = GeneratorHarness.Run("""
            using Mnist.Dsl;

            [Network(1, 28, 28)]
            [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
            [Conv2d(16, 3), ReLU, BatchNorm2d]
            [AvgPool2d(11), Linear(10), LogSoftmax]
            public partial class AveragedOut;
            """);

        Assert.Empty(result.AnalyzerDiagnostics);
    }

    [Theory]
    [MemberData(nameof(SampleNetworks.Names), MemberType = typeof(SampleNetworks))]
    public void Each_sample_gets_no_diagnostic(string name)
    {
        var result = GeneratorHarness.Run(SampleNetworks.Source(name));

        Assert.Empty(result.AnalyzerDiagnostics.Select(d => d.ToString()));
    }

    /// <summary>
    /// The samples switch rules off on purpose (Requires without a flag, a #pragma): they are quiet because of
    /// what they declare, not because the analyzer misses something. Undo the declaration and the rule fires.
    /// </summary>
    [Theory]
    [InlineData("Seed001Model1", "MNIST0004")]
    [InlineData("Seed001Model2", "MNIST0004,MNIST0005")]
    public void A_sample_that_leaves_required_layers_out_breaks_exactly_those_rules_once_it_requires_them(string name, string expected)
    {
        var withAllRules = Regex.Replace(SampleNetworks.Source(name), @", Requires = [^)]*", "");
        Assert.NotEqual(SampleNetworks.Source(name), withAllRules);

        var ids = GeneratorHarness.Run(withAllRules).AnalyzerDiagnostics.Select(d => d.Id).OrderBy(id => id, StringComparer.Ordinal);

        Assert.Equal(expected.Split(','), ids);
    }

    [Fact]
    public void Seed001Model1_without_its_pragma_reports_the_receptive_field_it_documents()
    {
        var withoutPragma = Regex.Replace(SampleNetworks.Source("Seed001Model1"), @"^#pragma warning.*$", "", RegexOptions.Multiline);

        var diagnostic = Only(GeneratorHarness.Run(withoutPragma).AnalyzerDiagnostics);

        Assert.Equal("MNIST0014", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("Seed001Model1's receptive field at the output is 26×26 pixels, smaller than its 28×28 input: no output sees the whole image",
            diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static Diagnostic Only(IReadOnlyCollection<Diagnostic> diagnostics)
    {
        Assert.True(diagnostics.Count == 1, $"expected one diagnostic, got {diagnostics.Count}:\n" + string.Join("\n", diagnostics));
        return diagnostics.Single();
    }

    private static void AssertAt(string source, TextSpan expected, Diagnostic diagnostic)
    {
        Assert.True(diagnostic.Location.IsInSource, $"{diagnostic} has no source location");
        var actualText = diagnostic.Location.SourceTree!.GetText().ToString(diagnostic.Location.SourceSpan);
        Assert.Equal(source.Substring(expected.Start, expected.Length), actualText);
        Assert.Equal(expected, diagnostic.Location.SourceSpan);
    }

    /// <summary>Strips [|...|] markers from a source and returns the spans they enclosed, in order.</summary>
    private static class Markup
    {
        public static (string Source, IReadOnlyList<TextSpan> Spans) Parse(string markup)
        {
            markup = markup.ReplaceLineEndings("\n");
            var text = new System.Text.StringBuilder();
            var spans = new List<TextSpan>();
            var start = -1;
            for (var i = 0; i < markup.Length; i++)
            {
                if (string.CompareOrdinal(markup, i, "[|", 0, 2) == 0) { start = text.Length; i++; }
                else if (string.CompareOrdinal(markup, i, "|]", 0, 2) == 0) { spans.Add(TextSpan.FromBounds(start, text.Length)); i++; }
                else text.Append(markup[i]);
            }
            return (text.ToString(), spans);
        }
    }

    [Fact]
    public void Two_networks_declaring_one_name_are_both_reported_and_classes_of_one_name_in_two_namespaces_are_not()
    {
        string Network(string ns, string name, string arguments) =>
            $"using Mnist.Dsl;\n\nnamespace {ns};\n\n[Network(1, 28, 28{arguments})]\n{ValidLayers}\npublic partial class {name};\n";

        var clash = GeneratorHarness.Run(Network("A", "First", ", Name = \"twin\""), Network("B", "Second", ", Name = \"TWIN\""), Network("C", "Net", ""), Network("D", "Net", ""));

        Assert.Equal(new[] { "A.First is named \"twin\", but B.Second has that name too (ignoring case); give each network its own Name",
                "B.Second is named \"TWIN\", but A.First has that name too (ignoring case); give each network its own Name" },
            clash.AnalyzerDiagnostics.Where(d => d.Id == "MNIST0018").Select(d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal));
        Assert.Equal(2, clash.AnalyzerDiagnostics.Length);
    }
}
