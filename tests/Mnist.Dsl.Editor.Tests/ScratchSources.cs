using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;

namespace Mnist.Dsl.Editor.Tests;

/// <summary>
/// The scratch project's documents, and each network again as data so that the expected numbers come from the layer
/// algebra rather than from the text under test.
/// </summary>
internal static class ScratchSources
{
    public const string Networks = """
        namespace Scratch;

        using Mnist.Dsl;

        /// <summary>A network with its own summary.</summary>
        [Network(1, 28, 28)]
        [Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(16, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class DocumentedNet;

        [Network(1, 28, 28)]
        [Conv2d(10, 3), ReLU, BatchNorm2d, Dropout(0.1), MaxPool2d(2)]
        [Conv2d(16, 3), ReLU, BatchNorm2d]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class PlainNet;

        [Network(1, 28, 28, Name = "over-budget")]
        [Conv2d(64, 3), ReLU, BatchNorm2d, Dropout(0.05)]
        [Conv2d(64, 3), ReLU, BatchNorm2d, MaxPool2d(2)]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class OverBudgetNet;

        [Network(1, 28, 28, Name = "no-batchnorm")]
        [Conv2d(8, 3), ReLU, Dropout(0.05)]
        [Conv2d(16, 3), ReLU, MaxPool2d(2)]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class NoBatchNormNet;
        """;

    public const string Uses = """
        namespace Scratch;

        public static class Uses
        {
            public static long Total => DocumentedNet.ParameterCount + PlainNet.ParameterCount;
        }
        """;

    /// <summary>The document the edit test changes: it gains the layer list marked below, and GrowingNet a BatchNorm2d.</summary>
    public const string Growing = """
        namespace Scratch;

        using Mnist.Dsl;

        [Network(1, 28, 28, Name = "growing")]
        [Conv2d(8, 3), ReLU, Dropout(0.05)]
        [GlobalAvgPool2d, Linear(10), LogSoftmax]
        public partial class GrowingNet;
        """;

    /// <summary>Growing after the edit: a BatchNorm2d (MNIST0002 goes) and a second convolution block.</summary>
    public static readonly string Grown = Growing.Replace(
        "[Conv2d(8, 3), ReLU, Dropout(0.05)]\n",
        "[Conv2d(8, 3), ReLU, BatchNorm2d, Dropout(0.05)]\n[Conv2d(16, 3), ReLU, BatchNorm2d]\n",
        System.StringComparison.Ordinal);

    public static readonly NetworkDefinition DocumentedNet = new("DocumentedNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(8, 3), new ReLU(), new BatchNorm2d(), new Dropout(0.05),
        new Conv2d(16, 3), new ReLU(), new BatchNorm2d(), new MaxPool2d(2),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    public static readonly NetworkDefinition PlainNet = new("PlainNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(10, 3), new ReLU(), new BatchNorm2d(), new Dropout(0.1), new MaxPool2d(2),
        new Conv2d(16, 3), new ReLU(), new BatchNorm2d(),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    public static readonly NetworkDefinition OverBudgetNet = new("OverBudgetNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(64, 3), new ReLU(), new BatchNorm2d(), new Dropout(0.05),
        new Conv2d(64, 3), new ReLU(), new BatchNorm2d(), new MaxPool2d(2),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    public static readonly NetworkDefinition GrowingNet = new("GrowingNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(8, 3), new ReLU(), new Dropout(0.05),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    public static readonly NetworkDefinition GrownNet = new("GrowingNet", 1, 28, 28, new Layer[]
    {
        new Conv2d(8, 3), new ReLU(), new BatchNorm2d(), new Dropout(0.05),
        new Conv2d(16, 3), new ReLU(), new BatchNorm2d(),
        new GlobalAvgPool2d(), new Linear(10), new LogSoftmax(),
    });

    public static NetworkSummary Summary(NetworkDefinition network) => NetworkAnalysis.Analyze(network).Summary!;
}
