using System.Collections.Generic;
using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.FSharpCheck.Tests;

/// <summary>The F# sources the build test compiles, and the networks they declare as the algebra's values.</summary>
internal static class Sources
{
    /// <summary>The repository's DefaultNet (src/Samples/Mnist.Models), with the channels of its fourth convolution as given.</summary>
    public static IReadOnlyList<Layer> DefaultNetLayers(int fourthConvolution = 16) =>
    [
        .. Block(16), .. Block(24), new MaxPool2d(2), new Conv2d(12, 1, Bias: false),
        .. Block(fourthConvolution), .. Block(24), new Conv2d(32, 3, Bias: false), new ReLU(), new BatchNorm2d(),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    ];

    private static Layer[] Block(int channels) => [new Conv2d(channels, 3, Bias: false), new ReLU(), new BatchNorm2d(), new Dropout(0.05)];

    /// <summary>The project's &lt;MnistDslParameterBudget&gt;: not the default, so that the messages show it reached the check.</summary>
    public const int ProjectBudget = 25_000;

    public static NetworkDefinition OverBudget(int channels) => new("OverBudget", 1, 28, 28, DefaultNetLayers(channels), parameterBudget: ProjectBudget);

    public static NetworkDefinition NoBatchNorm => new("NoBatchNorm", 1, 28, 28, DefaultNetLayers().Where(l => l.Kind != LayerKind.BatchNorm2d), parameterBudget: ProjectBudget);

    /// <summary>DefaultNet whose second convolution declares 8 in-channels where the first gives 16.</summary>
    public static NetworkDefinition Mismatch => new("Mismatch", 1, 28, 28,
        DefaultNetLayers().Select((l, i) => i == 4 ? new Conv2d(24, 3, Bias: false, InChannels: 8) : l), parameterBudget: ProjectBudget);

    /// <summary>Mismatch, its lists followed by // comments (and a "//" inside a string), which the scan steps over.</summary>
    public const string MismatchSource = """
        module Checked.Shapes

        open Mnist.Dsl

        [<Network(1, 28, 28, Description = "lists followed by comments, as the template writes them // not one")>]
        [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]                  // 28 → 26
        [<Conv2d(24, 3, Bias = false, InChannels = 8); ReLU; BatchNorm2d; Dropout(0.05)>]  // 26 → 24
        [<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]                                      // 24 → 12
        [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]
        [<GlobalAvgPool2d; Linear(10); LogSoftmax>] // RF 28
        type Mismatch() = class end
        """;

    public const string NoLayersSource = """
        module Checked.Empty

        open Mnist.Dsl

        [<Network(1, 28, 28)>]
        type Empty() = class end
        """;

    /// <summary>The same network in three layouts: lists per line; nested modules, one layer per list, a list over lines, [Network] last; everything in one list on the type's line.</summary>
    public const string Layouts = """
        namespace Checked

        open Mnist.Dsl

        // One attribute list per line, several layers per list.
        [<Network(1, 28, 28)>]
        [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]
        [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]
        [<GlobalAvgPool2d; Linear(10); LogSoftmax>]
        type PerLine() = class end

        module Outer =
            module Inner =
                // One layer per list, a list over several lines, two lists on one line, [Network] last.
                [<Conv2d(16, 3, Bias = false)>]
                [<ReLU>]
                [<BatchNorm2d>]
                [<Dropout(0.05)>]
                [<Conv2d(24, 3, Bias = false);
                  ReLU;
                  BatchNorm2d;
                  Dropout(0.05)>]
                [<MaxPool2d(2)>] [<Conv2d(12, 1, Bias = false)>]
                [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
                [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
                [<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]
                [<GlobalAvgPool2d>]
                [<Linear(10)>]
                [<LogSoftmax>]
                [<Network(1, 28, 28)>]
                type Nested() = class end

        // [Network] and every layer in one list, on the type's line.
        [<Network(1, 28, 28); Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05); Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05); MaxPool2d(2); Conv2d(12, 1, Bias = false); Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05); Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05); Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d; GlobalAvgPool2d; Linear(10); LogSoftmax>] type OneList() = class end
        """;

    /// <summary>DefaultNet with its fourth convolution's channels as given.</summary>
    public static string OverBudgetSource(int channels) => $$"""
        module Checked.Budget

        open Mnist.Dsl

        [<Network(1, 28, 28)>]
        {{DefaultNetLists(channels)}}
        type OverBudget() = class end
        """;

    /// <summary>DefaultNet's attribute lists, with its fourth convolution's channels as given (16 in DefaultNet: 16,538 parameters; 48: 26,970).</summary>
    public static string DefaultNetLists(int fourthConvolution = 16) => $$"""
        [<Conv2d(16, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]
        [<Conv2d({{fourthConvolution}}, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; BatchNorm2d; Dropout(0.05)>]
        [<Conv2d(32, 3, Bias = false); ReLU; BatchNorm2d>]
        [<GlobalAvgPool2d; Linear(10); LogSoftmax>]
        """;

    /// <summary>A file of module <paramref name="module"/> declaring DefaultNet (its fourth convolution as given) as type <paramref name="name"/>.</summary>
    public static string FolderNetworkSource(string module, string name, int fourthConvolution) => $$"""
        module Checked.{{module}}

        open Mnist.Dsl

        [<Network(1, 28, 28)>]
        {{DefaultNetLists(fourthConvolution)}}
        type {{name}}() = class end
        """;

    /// <summary>
    /// The project folder's .editorconfig: a strict budget for Strict/, a lenient one for Lenient/, an unreadable one for
    /// Lenient/BadValue.fs (no setting: the project's 25,000 applies, not the folder's section above it).
    /// </summary>
    public const int StrictBudget = 15_000;
    public const int LenientBudget = 30_000;
    public const string EditorConfig = """
        root = true

        [Strict/*.fs]
        mnist_dsl.parameter_budget = 15_000

        [Lenient/*.fs]
        mnist_dsl.parameter_budget = 30,000

        [Lenient/BadValue.fs]
        mnist_dsl.parameter_budget = lots
        """;

    /// <summary>Two networks named "twin" and "Twin", and an unnamed class TWIN: MNIST0018 at both names, as C#'s <see cref="NamesCSharp"/>.</summary>
    public static string NamesSource => $$"""
        module Checked.Names

        open Mnist.Dsl

        [<Network(1, 28, 28, Name = "twin")>]
        {{DefaultNetLists()}}
        type FirstTwin() = class end

        [<Network(1, 28, 28, Description = "the second", Name = "Twin")>]
        {{DefaultNetLists()}}
        type SecondTwin() = class end

        [<Network(1, 28, 28)>]
        {{DefaultNetLists()}}
        type TWIN() = class end
        """;

    /// <summary><see cref="NamesSource"/> in C#: the module is a static class in namespace Checked.</summary>
    public static string NamesCSharp
    {
        get
        {
            const string layers = "[Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05), Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05), MaxPool2d(2), Conv2d(12, 1, Bias = false), "
                + "Conv2d(16, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05), Conv2d(24, 3, Bias = false), ReLU, BatchNorm2d, Dropout(0.05), Conv2d(32, 3, Bias = false), ReLU, BatchNorm2d, GlobalAvgPool2d, Linear(10), LogSoftmax]";
            return $$"""
                using Mnist.Dsl;

                namespace Checked;

                public static partial class Names
                {
                    [Network(1, 28, 28, Name = "twin")]
                    {{layers}}
                    public partial class FirstTwin;

                    [Network(1, 28, 28, Description = "the second", Name = "Twin")]
                    {{layers}}
                    public partial class SecondTwin;

                    [Network(1, 28, 28)]
                    {{layers}}
                    public partial class TWIN;
                }
                """;
        }
    }

    public const string NoBatchNormSource = """
        module Checked.Missing

        open Mnist.Dsl

        [<Network(1, 28, 28)>]
        [<Conv2d(16, 3, Bias = false); ReLU; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; Dropout(0.05)>]
        [<MaxPool2d(2); Conv2d(12, 1, Bias = false)>]
        [<Conv2d(16, 3, Bias = false); ReLU; Dropout(0.05)>]
        [<Conv2d(24, 3, Bias = false); ReLU; Dropout(0.05)>]
        [<Conv2d(32, 3, Bias = false); ReLU>]
        [<GlobalAvgPool2d; Linear(10); LogSoftmax>]
        type NoBatchNorm() = class end
        """;
}
