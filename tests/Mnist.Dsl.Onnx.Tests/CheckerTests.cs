using System.IO;
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
