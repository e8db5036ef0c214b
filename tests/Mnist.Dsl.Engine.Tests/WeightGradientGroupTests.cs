using System;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Engine.Tests.Reference;
using Mnist.Dsl.Simd;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The weight gradient of a group of images summed in one pass (as the trainer runs DefaultNet's 16->24 layer on 26x26:
/// <see cref="Conv2dLayer{TV,TOps}.GroupSize"/> images, 8x3 blocks at 512 bits, pairwise lane sums) against the same
/// images one at a time (the path <see cref="ConvolutionTests"/> checks against F.conv2d), at every width.
/// </summary>
public sealed unsafe class WeightGradientGroupTests
{
    [Theory]
    [MemberData(nameof(Widths.Available), MemberType = typeof(Widths))]
    public void Group_equals_the_sum_of_its_images(SimdWidth width)
    {
        var (grouped, single) = width switch
        {
            SimdWidth.Bits512 => Run<Vector512<float>, Vec512>(),
            SimdWidth.Bits256 => Run<Vector256<float>, Vec256>(),
            _ => Run<float, VecScalar>(),
        };
        Tolerance.AssertClose(single, grouped, 1e-5, "weight gradient of the group", Tolerance.Rms(single));
    }

    private static (float[] Grouped, float[] Single) Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
    {
        using var arena = new NativeArena();
        var g = new Conv2dGeometry(16, 24, 26, 26, 3, 1, 0, false, TOps.Count);
        var layer = new Conv2dLayer<TV, TOps>(g, 1, arena);
        int group = layer.GroupSize;
        Assert.True(group > 1, $"the 26x26 layer sums {group} image at a time; the trainer groups its chunk's images");
        var random = new Random(7);
        float* x = arena.Floats((long)group * g.InputSize + Conv2dGeometry.Slack), w = arena.Floats(g.WeightCount);
        for (long i = 0; i < (long)group * g.InputSize; i++) x[i] = (float)random.NextDouble() - 0.5f;
        for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble() - 0.5f;
        var dys = new float[group * g.OutputSize];
        for (int i = 0; i < dys.Length; i++) dys[i] = (float)random.NextDouble() - 0.5f;
        layer.Pack(w);

        var grouped = new float[g.WeightCount];
        var single = new float[g.WeightCount];
        float** images = stackalloc float*[group];
        fixed (float* groupedGradient = grouped, singleGradient = single)
        {
            for (int k = 0; k < group; k++)
            {
                SetOutputGradient(layer, g, k, dys, k);
                images[k] = x + (long)k * g.InputSize;
            }
            layer.Backward(images, null, group, groupedGradient, null, 0);
            for (int k = 0; k < group; k++)
            {
                SetOutputGradient(layer, g, 0, dys, k);
                layer.Backward(images[k], null, singleGradient, null, 0);
            }
        }
        return (grouped, single);
    }

    /// <summary>Image <paramref name="image"/>'s output gradient into group slot <paramref name="slot"/>.</summary>
    private static void SetOutputGradient<TV, TOps>(Conv2dLayer<TV, TOps> layer, Conv2dGeometry g, int slot, float[] dys, int image)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        float* dy = layer.OutputGradient(0, slot);
        for (int co = 0; co < g.OutChannels; co++)
            for (int y = 0; y < g.OutHeight; y++)
                for (int xx = 0; xx < g.OutWidth; xx++)
                    dy[layer.GradientIndex(co, y, xx)] = dys[image * g.OutputSize + (co * g.OutHeight + y) * g.OutWidth + xx];
    }
}
