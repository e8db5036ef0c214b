using System.IO;
using System.Linq;
using Mnist.Dsl.Training.Export;
using Xunit;

namespace Mnist.Dsl.Onnx.Tests;

/// <summary>ONNX's own checker (full check, with shape inference) on every sample network's export, folded and with BatchNormalization kept.</summary>
public class CheckerTests
{
    [OnnxCheckerTheory]
    [MemberData(nameof(SampleWeights.Names), MemberType = typeof(SampleWeights))]
    public void Onnx_checker_accepts_the_export(string name)
    {
        var network = SampleWeights.Networks.Find(name);
        var input = network.Summary.Input;
        var expected = $"{OnnxExport.IrVersion} {OnnxExport.Opset} Nx{input.Channels}x{input.Height}x{input.Width} Nx{network.Summary.Output.Channels}";
        using var folder = new TemporaryFolder();
        foreach (var fold in new[] { true, false })
        {
            var path = Path.Combine(folder.Path, $"{name}-{fold}.onnx");
            network.ExportOnnx(SampleWeights.Path(name, WeightsKind.Trained), path, foldBatchNorm: fold);
            Assert.Equal(expected, OnnxChecker.Check(path));
        }
    }
}

/// <summary>
/// ONNX's checker on grouped and depthwise convolutions (Conv's group attribute, weights [out, in / group, k, k]): a
/// depthwise-separable network built at run time, its weights the engine's initial ones, folded and kept.
/// </summary>
public class GroupedCheckerTests
{
    private static readonly Mnist.Dsl.Analysis.NetworkDefinition Separable = new("Separable", 1, 28, 28,
    [
        new Mnist.Dsl.Layers.Conv2d(8, 3, Bias: false), new Mnist.Dsl.Layers.ReLU(), new Mnist.Dsl.Layers.BatchNorm2d(),
        new Mnist.Dsl.Layers.Conv2d(8, 3, Padding: 1, Groups: 8), new Mnist.Dsl.Layers.BatchNorm2d(), new Mnist.Dsl.Layers.Conv2d(16, 1, Bias: false),
        new Mnist.Dsl.Layers.ReLU(), new Mnist.Dsl.Layers.Dropout(0.05), new Mnist.Dsl.Layers.Conv2d(16, 3, Stride: 2, Groups: 4),
        new Mnist.Dsl.Layers.GlobalAvgPool2d(), new Mnist.Dsl.Layers.Linear(10),
    ]);

    [OnnxCheckerTheory]
    [InlineData(true)]
    [InlineData(false)]
    public void Onnx_checker_accepts_grouped_convolutions(bool fold)
    {
        using var folder = new TemporaryFolder();
        var network = Mnist.Dsl.Training.Definitions.DefinedNetwork.Register(Separable, "separable");
        using var trainer = Mnist.Dsl.Engine.Composition.TrainerBlueprint.For(Separable)
            .Create(new Mnist.Dsl.Engine.Trainers.TrainerOptions(4, 1, 1, new Mnist.Dsl.Engine.Optim.Sgd(0.01)));
        var weights = Path.Combine(folder.Path, "separable.safetensors");
        Mnist.Dsl.Training.Serialization.SafeTensorsFile.Write(weights, Mnist.Dsl.Training.Engine.EngineWeights.StateDict(network, trainer));
        var path = Path.Combine(folder.Path, $"separable-{fold}.onnx");
        var model = OnnxExport.Write(Separable, weights, path, foldBatchNorm: fold);

        Assert.Equal($"{OnnxExport.IrVersion} {OnnxExport.Opset} Nx1x28x28 Nx10", OnnxChecker.Check(path));
        Assert.Equal(4, model.Operators.Count(o => o == "Conv"));
    }
}
