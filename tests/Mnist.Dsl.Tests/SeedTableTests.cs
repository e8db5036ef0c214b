using System.Linq;
using Mnist.Dsl.Analysis;
using Mnist.Dsl.Layers;
using Xunit;

namespace Mnist.Dsl.Tests;

/// <summary>The two torchsummary tables of seed 001, reproduced row for row by the layer algebra.</summary>
public class SeedTableTests
{
    // Seed 001, model architecture 1 (ReLU and the flattening view are functional in the notebook: no rows).
    private static readonly NetworkDefinition Seed001Model1 = new("Seed001Model1", 1, 28, 28, new Layer[]
    {
        new Conv2d(32, 3), new BatchNorm2d(), new ReLU(Functional: true), new MaxPool2d(2),
        new Conv2d(32, 3), new BatchNorm2d(), new ReLU(Functional: true), new MaxPool2d(2),
        new Conv2d(16, 3), new BatchNorm2d(), new ReLU(Functional: true), new Dropout(0.1),
        new Flatten(Functional: true), new Linear(20), new BatchNorm1d(), new ReLU(Functional: true), new Dropout(0.1),
        new Linear(10), new LogSoftmax(Functional: true),
    }, requires: RequiredLayers.All & ~RequiredLayers.GlobalAvgPool); // its table has no GAP, whatever its text says

    private const string Seed001Model1Table = """
        ----------------------------------------------------------------
                Layer (type)               Output Shape         Param #
        ================================================================
                    Conv2d-1           [-1, 32, 26, 26]             320
               BatchNorm2d-2           [-1, 32, 26, 26]              64
                 MaxPool2d-3           [-1, 32, 13, 13]               0
                    Conv2d-4           [-1, 32, 11, 11]           9,248
               BatchNorm2d-5           [-1, 32, 11, 11]              64
                 MaxPool2d-6             [-1, 32, 5, 5]               0
                    Conv2d-7             [-1, 16, 3, 3]           4,624
               BatchNorm2d-8             [-1, 16, 3, 3]              32
                   Dropout-9             [-1, 16, 3, 3]               0
                   Linear-10                   [-1, 20]           2,900
              BatchNorm1d-11                   [-1, 20]              40
                  Dropout-12                   [-1, 20]               0
                   Linear-13                   [-1, 10]             210
        ================================================================
        Total params: 17,502
        Trainable params: 17,502
        Non-trainable params: 0
        ----------------------------------------------------------------
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.44
        Params size (MB): 0.07
        Estimated Total Size (MB): 0.51
        ----------------------------------------------------------------
        """;

    // Seed 001, model architecture 2: convolutions only, no GAP and no fully connected layer.
    private static readonly NetworkDefinition Seed001Model2 = new("Seed001Model2", 1, 28, 28, new Layer[]
    {
        new Conv2d(16, 3), new ReLU(Functional: true), new BatchNorm2d(),
        new Conv2d(32, 3), new ReLU(Functional: true), new BatchNorm2d(), new MaxPool2d(2),
        new Conv2d(10, 3), new ReLU(Functional: true), new BatchNorm2d(), new Dropout(0.1), new MaxPool2d(2),
        new Conv2d(10, 3), new ReLU(Functional: true), new Dropout(0.1),
        new Conv2d(10, 3), new LogSoftmax(Functional: true),
    }, requires: RequiredLayers.BatchNorm | RequiredLayers.Dropout);

    private const string Seed001Model2Table = """
        ----------------------------------------------------------------
                Layer (type)               Output Shape         Param #
        ================================================================
                    Conv2d-1           [-1, 16, 26, 26]             160
               BatchNorm2d-2           [-1, 16, 26, 26]              32
                    Conv2d-3           [-1, 32, 24, 24]           4,640
               BatchNorm2d-4           [-1, 32, 24, 24]              64
                 MaxPool2d-5           [-1, 32, 12, 12]               0
                    Conv2d-6           [-1, 10, 10, 10]           2,890
               BatchNorm2d-7           [-1, 10, 10, 10]              20
                   Dropout-8           [-1, 10, 10, 10]               0
                 MaxPool2d-9             [-1, 10, 5, 5]               0
                   Conv2d-10             [-1, 10, 3, 3]             910
                  Dropout-11             [-1, 10, 3, 3]               0
                   Conv2d-12             [-1, 10, 1, 1]             910
        ================================================================
        Total params: 9,626
        Trainable params: 9,626
        Non-trainable params: 0
        ----------------------------------------------------------------
        Input size (MB): 0.00
        Forward/backward pass size (MB): 0.51
        Params size (MB): 0.04
        Estimated Total Size (MB): 0.55
        ----------------------------------------------------------------
        """;

    [Fact]
    public void Seed_001_model_1_table_equals_the_seed()
    {
        var report = NetworkAnalysis.Analyze(Seed001Model1);
        // Its output sees 26×26 of the 28×28 input: a true warning (conv 3, pool 2, conv 3, pool 2, conv 3, linear over 3×3).
        var warning = Assert.Single(report.Violations);
        Assert.Equal(Rule.ReceptiveFieldSmallerThanInput, warning.Rule);
        Assert.Contains("26×26", warning.Message);
        Assert.Equal(26, report.Summary!.ReceptiveField);
        Assert.Equal(Seed001Model1Table.ReplaceLineEndings("\n"), report.Summary!.ToTable().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Seed_001_model_2_table_equals_the_seed_and_only_the_switched_off_rules_would_fire()
    {
        var report = NetworkAnalysis.Analyze(Seed001Model2);
        Assert.Equal(Seed001Model2Table.ReplaceLineEndings("\n"), report.Summary!.ToTable().ReplaceLineEndings("\n"));
        Assert.Empty(report.Violations);

        var withAllRules = NetworkAnalysis.Analyze(new NetworkDefinition("Seed001Model2", 1, 28, 28, Seed001Model2.Layers));
        Assert.Equal(new[] { Rule.MissingGlobalAvgPool, Rule.MissingFullyConnected }, withAllRules.Violations.Select(v => v.Rule));
        Assert.All(withAllRules.Violations, v => Assert.Equal(-1, v.LayerIndex));
    }
}
