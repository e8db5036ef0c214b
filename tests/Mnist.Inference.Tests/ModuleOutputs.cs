using System;
using static TorchSharp.torch;

namespace Mnist.Inference.Tests;

/// <summary>What a TorchSharp module gives in eval mode for many images, computed in batches.</summary>
public static class ModuleOutputs
{
    public static float[] Of(nn.Module<Tensor, Tensor> module, float[] images, int imageLength, int classes, int batch = 1000)
    {
        module.eval();
        var count = images.Length / imageLength;
        var outputs = new float[count * classes];
        using var _ = no_grad();
        for (var start = 0; start < count; start += batch)
        {
            using var scope = NewDisposeScope();
            var n = Math.Min(batch, count - start);
            var x = tensor(images.AsSpan(start * imageLength, n * imageLength).ToArray(), new long[] { n, 1, 28, 28 });
            var y = module.forward(x);
            y.data<float>().ToArray().CopyTo(outputs, start * classes);
        }
        return outputs;
    }
}
