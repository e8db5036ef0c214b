using System;
using System.Linq;
using System.Runtime.Intrinsics.X86;
using Mnist.Dsl.Inference;
using Xunit;

namespace Mnist.Dsl.Tests.Inference;

/// <summary>
/// InferenceKernels against plain loops over PyTorch's [C, H, W] layout that add in the same order (bias, then taps by
/// kernel row, column, input channel, each a fused multiply-add): with FMA the results are equal bit for bit, for every
/// register tile the convolution picks (1 to 4 vectors of output channels × 1 to 4 pixels, partial last vectors, several
/// channel groups, strides, padding). Outputs start as NaN so that a kernel writing a border or missing a value shows.
/// </summary>
public class InferenceKernelTests
{
    [Theory]
    [InlineData(1, 16, 28, 3, 1, 0, 0)]   // 2 vectors, 4 pixels a tile
    [InlineData(16, 24, 13, 3, 1, 1, 1)]  // 3 vectors, 3 pixels, a single-pixel remainder, padded input and output
    [InlineData(3, 10, 7, 3, 2, 1, 0)]    // stride 2, 10 channels: the second vector is partial
    [InlineData(8, 40, 6, 1, 1, 0, 2)]    // 5 vectors: five groups of 1
    [InlineData(12, 48, 5, 3, 1, 0, 0)]   // 6 vectors: two groups of 3, 3 pixels (the width)
    [InlineData(5, 64, 4, 3, 1, 1, 0)]    // 8 vectors: two groups of 4, 2 pixels a tile
    [InlineData(2, 52, 5, 2, 1, 0, 0)]    // 7 vectors: seven groups of 1, the last partial
    [InlineData(32, 10, 1, 1, 1, 0, 0)]   // a Linear layer: 1×1 over 1×1
    public void Convolution_equals_the_plain_loops(int inChannels, int outChannels, int size, int kernel, int stride, int padding, int outputPad)
    {
        var random = new Random(inChannels * 1000 + outChannels);
        var input = Values(random, inChannels * size * size);
        var weight = Values(random, outChannels * inChannels * kernel * kernel);
        var bias = Values(random, outChannels);
        var affine = new ChannelAffine(Values(random, outChannels).Select(v => (double)v).ToArray(), Values(random, outChannels).Select(v => (double)v).ToArray());
        var outSize = (size + 2 * padding - kernel) / stride + 1;
        var paddedOut = (outChannels + 7) / 8 * 8;
        var inLayout = new ActivationLayout(inChannels, size, size, padding);
        var outLayout = new ActivationLayout(outChannels, outSize, outSize, outputPad);

        float[] scale = affine.ScaleVector(paddedOut), shift = affine.ShiftVector(paddedOut);
        // Every combination of the epilogue's three parts: each is its own compiled variant of the kernel.
        var epilogues = new[] { false, true }.SelectMany(first => new[] { false, true }.SelectMany(scaled => new[] { false, true }.Select(last =>
            new Epilogue(first, scaled ? scale : null, scaled ? shift : null, last))));
        foreach (var epilogue in epilogues)
        {
            var output = NaNs(outLayout.Length);
            InferenceKernels.Convolution(ChannelsLast(input, inLayout), inLayout, output, outLayout,
                KernelLayout.Weights(weight, outChannels, inChannels, kernel, null, paddedOut), KernelLayout.Bias(bias, outChannels, null, paddedOut),
                kernel, stride, epilogue);

            var expected = new float[outChannels * outSize * outSize];
            for (var o = 0; o < outChannels; o++)
                for (var y = 0; y < outSize; y++)
                    for (var x = 0; x < outSize; x++)
                    {
                        var sum = bias[o];
                        for (var ky = 0; ky < kernel; ky++)
                            for (var kx = 0; kx < kernel; kx++)
                                for (var c = 0; c < inChannels; c++)
                                {
                                    int iy = y * stride + ky - padding, ix = x * stride + kx - padding;
                                    var value = iy < 0 || ix < 0 || iy >= size || ix >= size ? 0f : input[(c * size + iy) * size + ix];
                                    sum = MathF.FusedMultiplyAdd(value, weight[((o * inChannels + c) * kernel + ky) * kernel + kx], sum);
                                }
                        expected[(o * outSize + y) * outSize + x] = Reference(epilogue, sum, o);
                    }
            AssertMap(expected, output, outLayout);
        }
    }

    /// <summary>
    /// A grouped convolution ([out, in / groups, k, k]) with KernelLayout.GroupedWeights' block-diagonal weights in the dense
    /// kernel, or (groups = in = out) the depthwise kernel with KernelLayout.DepthwiseWeights, against plain loops over
    /// each output channel's group: the same sums in the same order (the dense kernel's zeros add exactly nothing).
    /// </summary>
    [Theory]
    [InlineData(4, 6, 8, 3, 1, 1, 2, 0)]     // groups 2, padded
    [InlineData(6, 9, 7, 3, 2, 0, 3, 1)]     // groups 3, stride 2, output border
    [InlineData(3, 6, 6, 3, 1, 0, 3, 0)]     // a channel multiplier (groups = in, out = 2 in): the dense kernel
    [InlineData(12, 12, 9, 3, 1, 1, 12, 1)]  // depthwise: a whole vector and a 4-channel tail, padded
    [InlineData(16, 16, 9, 3, 2, 1, 16, 0)]  // depthwise, stride 2
    [InlineData(5, 5, 6, 5, 1, 2, 5, 0)]     // depthwise 5×5, a tail only
    public void Grouped_and_depthwise_convolutions_equal_the_plain_loops(int inChannels, int outChannels, int size, int kernel, int stride, int padding,
        int groups, int outputPad)
    {
        var random = new Random(inChannels * 1000 + outChannels + groups);
        int groupIn = inChannels / groups, groupOut = outChannels / groups;
        var input = Values(random, inChannels * size * size);
        var weight = Values(random, outChannels * groupIn * kernel * kernel);
        var bias = Values(random, outChannels);
        var affine = new ChannelAffine(Values(random, outChannels).Select(v => (double)v).ToArray(), Values(random, outChannels).Select(v => (double)v).ToArray());
        var outSize = (size + 2 * padding - kernel) / stride + 1;
        var paddedOut = (outChannels + 7) / 8 * 8;
        var inLayout = new ActivationLayout(inChannels, size, size, padding);
        var outLayout = new ActivationLayout(outChannels, outSize, outSize, outputPad);
        var depthwise = groups == inChannels && groups == outChannels;
        var epilogue = new Epilogue(true, affine.ScaleVector(paddedOut), affine.ShiftVector(paddedOut), false);

        var output = NaNs(outLayout.Length);
        var packedBias = KernelLayout.Bias(bias, outChannels, null, paddedOut);
        if (depthwise)
            InferenceKernels.DepthwiseConvolution(ChannelsLast(input, inLayout), inLayout, output, outLayout,
                KernelLayout.DepthwiseWeights(weight, outChannels, kernel, null, paddedOut), packedBias, kernel, stride, epilogue);
        else
            InferenceKernels.Convolution(ChannelsLast(input, inLayout), inLayout, output, outLayout,
                KernelLayout.GroupedWeights(weight, outChannels, inChannels, kernel, groups, null, paddedOut), packedBias, kernel, stride, epilogue);

        var expected = new float[outChannels * outSize * outSize];
        for (var o = 0; o < outChannels; o++)
            for (var y = 0; y < outSize; y++)
                for (var x = 0; x < outSize; x++)
                {
                    var sum = bias[o];
                    for (var ky = 0; ky < kernel; ky++)
                        for (var kx = 0; kx < kernel; kx++)
                            for (var i = 0; i < groupIn; i++)
                            {
                                int c = o / groupOut * groupIn + i, iy = y * stride + ky - padding, ix = x * stride + kx - padding;
                                var value = iy < 0 || ix < 0 || iy >= size || ix >= size ? 0f : input[(c * size + iy) * size + ix];
                                sum = MathF.FusedMultiplyAdd(value, weight[((o * groupIn + i) * kernel + ky) * kernel + kx], sum);
                            }
                    expected[(o * outSize + y) * outSize + x] = Reference(epilogue, sum, o);
                }
        AssertMap(expected, output, outLayout);
    }

    [Theory]
    [InlineData(true, 24, 12, 2, 2)]
    [InlineData(false, 11, 7, 3, 2)]
    public void Pooling_equals_the_plain_loops(bool max, int channels, int size, int kernel, int stride)
    {
        var random = new Random(channels);
        var input = Values(random, channels * size * size);
        var outSize = (size - kernel) / stride + 1;
        var inLayout = new ActivationLayout(channels, size, size, 0);
        var outLayout = new ActivationLayout(channels, outSize, outSize, 1);
        var output = NaNs(outLayout.Length);
        InferenceKernels.Pool(ChannelsLast(input, inLayout), inLayout, output, outLayout, max, kernel, stride, Epilogue.Relu);

        var expected = new float[channels * outSize * outSize];
        for (var c = 0; c < channels; c++)
            for (var y = 0; y < outSize; y++)
                for (var x = 0; x < outSize; x++)
                {
                    var value = max ? float.NegativeInfinity : 0f;
                    for (var ky = 0; ky < kernel; ky++)
                        for (var kx = 0; kx < kernel; kx++)
                        {
                            var read = input[(c * size + y * stride + ky) * size + x * stride + kx];
                            value = max ? MathF.Max(value, read) : value + read;
                        }
                    expected[(c * outSize + y) * outSize + x] = MathF.Max(max ? value : value / (kernel * kernel), 0f);
                }
        AssertMap(expected, output, outLayout);
    }

    [Fact]
    public void Global_average_pooling_flatten_and_log_softmax_equal_the_plain_loops()
    {
        var random = new Random(5);
        const int Channels = 13, Size = 5;
        var input = Values(random, Channels * Size * Size);
        var map = new ActivationLayout(Channels, Size, Size, 1);
        var point = new ActivationLayout(Channels, 1, 1, 0);
        var gap = NaNs(point.Length);
        InferenceKernels.GlobalAveragePool(ChannelsLast(input, map), map, gap, point, Epilogue.None);
        for (var c = 0; c < Channels; c++)
        {
            var sum = 0f;
            for (var p = 0; p < Size * Size; p++) sum += input[c * Size * Size + p];
            Assert.Equal(sum / (Size * Size), gap[c], 5);
        }

        var vector = new ActivationLayout(Channels * Size * Size, 1, 1, 0);
        var flat = NaNs(vector.Length);
        InferenceKernels.Flatten(ChannelsLast(input, map), map, flat, vector, Epilogue.None);
        Assert.Equal(input, flat);

        var logits = Values(random, 10);
        var activation = logits.ToArray();
        InferenceKernels.LogSoftmax(activation, new ActivationLayout(10, 1, 1, 0), Epilogue.None);
        var log = MathF.Log(logits.Sum(v => MathF.Exp(v - logits.Max())));
        for (var c = 0; c < 10; c++) Assert.Equal(logits[c] - logits.Max() - log, activation[c], 5);
    }

    /// <summary>An epilogue applied afterwards in place (for chains longer than one fused epilogue) gives what fusing it gives, and leaves the border.</summary>
    [Fact]
    public void An_epilogue_applied_in_place_equals_the_fused_one()
    {
        var random = new Random(9);
        var layout = new ActivationLayout(12, 4, 4, 1);
        var affine = new ChannelAffine(Values(random, 12).Select(v => (double)v).ToArray(), Values(random, 12).Select(v => (double)v).ToArray());
        var epilogue = new Epilogue(true, affine.ScaleVector(16), affine.ShiftVector(16), true);
        var image = Values(random, 12 * 16);
        var fused = new float[layout.Length];
        InferenceKernels.Image(image, fused, layout, epilogue);
        var after = new float[layout.Length];
        InferenceKernels.Image(image, after, layout, Epilogue.None);
        InferenceKernels.ApplyEpilogue(after, layout, epilogue);
        Assert.Equal(fused, after);
        Assert.Contains(fused, v => v > 0);
        Assert.Equal(0f, after[0]);
    }

    /// <summary>LeakyReLU in place: x or (float)slope·x at every value inside the border (rows longer and shorter than a vector), the border left zero, then the epilogue.</summary>
    [Theory]
    [InlineData(0.01, 12, 5, 1)]
    [InlineData(-0.5, 3, 3, 0)]
    [InlineData(1.5, 10, 1, 0)]
    public void Leaky_relu_equals_the_plain_loop_and_leaves_the_border(double slope, int channels, int size, int pad)
    {
        var random = new Random(11);
        var layout = new ActivationLayout(channels, size, size, pad);
        var activation = new float[layout.Length];
        var expected = new float[layout.Length];
        var inside = Values(random, channels * size * size);
        for (int y = 0, k = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                for (var c = 0; c < channels; c++, k++)
                {
                    var at = ((y + pad) * (size + 2 * pad) + x + pad) * channels + c;
                    activation[at] = inside[k];
                    expected[at] = inside[k] > 0 ? inside[k] : inside[k] * (float)slope;
                }
        InferenceKernels.LeakyRelu(activation, layout, slope, Epilogue.None);
        Assert.Equal(expected, activation);
        if (slope > 0) Assert.Contains(activation, v => v < 0);
        else Assert.DoesNotContain(activation, v => v < 0);

        InferenceKernels.LeakyRelu(expected, layout, 1, Epilogue.None);
        InferenceKernels.ApplyEpilogue(expected, layout, Epilogue.Relu);
        InferenceKernels.LeakyRelu(activation, layout, 1, Epilogue.Relu);
        Assert.Equal(expected, activation);
    }

    /// <summary>
    /// Tanh in place: within 4e-7 of tanh at every value inside the border (values out to ±10 and two past the clamp; rows
    /// longer and shorter than a vector), the vector lanes equal to the scalar path bit for bit where there is FMA (the same
    /// steps), the border left zero, then the epilogue.
    /// </summary>
    [Theory]
    [InlineData(12, 5, 1)]
    [InlineData(3, 3, 0)]
    [InlineData(10, 1, 0)]
    public void Tanh_is_within_its_bound_of_tanh_and_leaves_the_border(int channels, int size, int pad)
    {
        var random = new Random(12);
        var layout = new ActivationLayout(channels, size, size, pad);
        var activation = new float[layout.Length];
        var inside = Values(random, channels * size * size).Select(v => v * 10).ToArray();
        (inside[0], inside[^1]) = (11f, -9.5f);
        var at = new int[inside.Length];
        for (int y = 0, k = 0; y < size; y++)
            for (var x = 0; x < size; x++)
                for (var c = 0; c < channels; c++, k++)
                    activation[at[k] = ((y + pad) * (size + 2 * pad) + x + pad) * channels + c] = inside[k];
        var before = (float[])activation.Clone();
        TanhKernel.Apply(activation, layout, Epilogue.None);
        for (var k = 0; k < inside.Length; k++)
        {
            var error = Math.Abs(activation[at[k]] - Math.Tanh(inside[k]));
            Assert.True(error <= 4e-7, $"tanh({inside[k]}) = {activation[at[k]]}, off by {error:E2}");
            if (Fma.IsSupported) Assert.Equal(TanhKernel.Of(inside[k]), activation[at[k]]);
        }
        Assert.Contains(inside, v => Math.Abs(v) > TanhKernel.Clamp);
        Assert.Equal(before.Length - inside.Length, Enumerable.Range(0, before.Length).Except(at).Count(i => activation[i] == 0));

        var expected = (float[])before.Clone();
        TanhKernel.Apply(expected, layout, Epilogue.None);
        InferenceKernels.ApplyEpilogue(expected, layout, Epilogue.Relu);
        TanhKernel.Apply(before, layout, Epilogue.Relu);
        Assert.Equal(expected, before);
        Assert.DoesNotContain(before, v => v < 0);
    }

    [Fact]
    public void Wrong_sizes_are_refused_with_the_numbers()
    {
        var input = new ActivationLayout(1, 28, 28, 0);
        var output = new ActivationLayout(16, 26, 26, 0);
        var error = Assert.Throws<ArgumentException>(() => InferenceKernels.Convolution(new float[784], input, new float[output.Length], output,
            new float[143], new float[16], 3, 1, Epilogue.None));
        Assert.Equal("Convolution: 143 weights; a 3×3 kernel from 1 to 16 channels (padded to 16) needs 144. (Parameter 'weights')", error.Message);
        error = Assert.Throws<ArgumentException>(() => InferenceKernels.Convolution(new float[784], input, new float[output.Length], new ActivationLayout(16, 24, 24, 0),
            new float[144], new float[16], 3, 1, Epilogue.None));
        Assert.StartsWith("Convolution: a 3×3 window every 1 pixel(s) with padding 0 over [1, 28, 28] with border 0 does not give [16, 24, 24]", error.Message);
        error = Assert.Throws<ArgumentException>(() => InferenceKernels.Convolution(new float[783], input, new float[output.Length], output,
            new float[144], new float[16], 3, 1, Epilogue.None));
        Assert.StartsWith("Convolution: the input has 783 floats; [1, 28, 28] with border 0 needs 784.", error.Message);
    }

    private static float Reference(Epilogue epilogue, float value, int channel)
    {
        if (epilogue.ReluFirst) value = MathF.Max(value, 0f);
        if (epilogue.Scale is { } scale) value = MathF.FusedMultiplyAdd(value, scale[channel], epilogue.Shift![channel]);
        if (epilogue.ReluLast) value = MathF.Max(value, 0f);
        return value;
    }

    private static float[] Values(Random random, int count) => Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

    private static float[] NaNs(long count) => Enumerable.Repeat(float.NaN, (int)count).ToArray();

    /// <summary>[C, H, W] values into a channels-last map with a zero border.</summary>
    private static float[] ChannelsLast(float[] values, ActivationLayout layout)
    {
        var result = new float[layout.Length];
        for (var c = 0; c < layout.Channels; c++)
            for (var y = 0; y < layout.Height; y++)
                for (var x = 0; x < layout.Width; x++)
                    result[((y + layout.Pad) * layout.PaddedWidth + x + layout.Pad) * layout.Channels + c] = values[(c * layout.Height + y) * layout.Width + x];
        return result;
    }

    /// <summary>Every value of the map equals <paramref name="expected"/> ([C, H, W]) exactly with FMA (else to 1e-5), and its border is untouched (NaN).</summary>
    private static void AssertMap(float[] expected, float[] actual, ActivationLayout layout)
    {
        for (var y = -layout.Pad; y < layout.Height + layout.Pad; y++)
            for (var x = -layout.Pad; x < layout.Width + layout.Pad; x++)
                for (var c = 0; c < layout.Channels; c++)
                {
                    var value = actual[((y + layout.Pad) * layout.PaddedWidth + x + layout.Pad) * layout.Channels + c];
                    if (y < 0 || x < 0 || y >= layout.Height || x >= layout.Width) { Assert.True(float.IsNaN(value), $"border ({y}, {x}, {c}) written"); continue; }
                    var want = expected[(c * layout.Height + y) * layout.Width + x];
                    if (Fma.IsSupported) Assert.True(want == value, $"({c}, {y}, {x}): {value} instead of {want}");
                    else Assert.True(MathF.Abs(want - value) <= 1e-5f, $"({c}, {y}, {x}): {value} instead of {want}");
                }
    }
}
