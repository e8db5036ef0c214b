using System;
using System.Runtime.InteropServices;
using Xunit;
using static TorchSharp.torch;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// An error inside libtorch arrives as a .NET exception carrying libtorch's own message, and the process goes on.
/// TorchSharp throws <see cref="ExternalException"/> for what libtorch reports; some mistakes it catches itself
/// first, with an <see cref="ArgumentException"/> of its own (a Conv2d module checks its input's channels).
/// </summary>
public class LibtorchErrorTests
{
    [Fact]
    public void A_convolution_given_the_wrong_number_of_channels_throws_with_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        var weight = randn(new long[] { 4, 3, 3, 3 });
        var e = Assert.Throws<ExternalException>(() => nn.functional.conv2d(randn(new long[] { 2, 1, 8, 8 }), weight));
        Assert.Contains("expected input[2, 1, 8, 8] to have 3 channels, but got 1 channels instead", e.Message);
    }

    [Fact]
    public void A_conv2d_module_given_the_wrong_number_of_channels_says_so_before_libtorch_does()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(3, 4, 3);
        var e = Assert.Throws<ArgumentException>(() => conv.forward(randn(new long[] { 2, 1, 8, 8 })));
        Assert.Contains("with 3 channels", e.Message);
    }

    [Fact]
    public void A_linear_layer_given_the_wrong_number_of_features_throws_with_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        using var linear = nn.Linear(7, 3);
        var e = Assert.Throws<ExternalException>(() => linear.forward(randn(new long[] { 2, 5 })));
        Assert.Contains("mat1 and mat2 shapes cannot be multiplied (2x5 and 7x3)", e.Message);
    }

    [Fact]
    public void A_kernel_larger_than_its_input_throws_and_the_next_call_works()
    {
        using var scope = NewDisposeScope();
        using var conv = nn.Conv2d(1, 1, 5);
        var e = Assert.Throws<ExternalException>(() => conv.forward(randn(new long[] { 1, 1, 3, 3 })));
        Assert.Contains("Kernel size can't be greater than actual input size", e.Message);
        Assert.Equal(new long[] { 1, 1, 1, 1 }, conv.forward(randn(new long[] { 1, 1, 5, 5 })).shape);
    }

    [Fact]
    public void Adding_tensors_of_shapes_that_do_not_broadcast_throws_with_both_sizes()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<ExternalException>(() => ones(2, 3) + ones(4, 5));
        Assert.Contains("The size of tensor a (3) must match the size of tensor b (5) at non-singleton dimension 1", e.Message);
    }

    [Fact]
    public void A_label_out_of_range_in_nll_loss_throws_instead_of_reading_garbage()
    {
        using var scope = NewDisposeScope();
        var logits = nn.functional.log_softmax(randn(new long[] { 2, 10 }), 1);
        var e = Assert.Throws<ExternalException>(() => nn.functional.nll_loss(logits, tensor(new long[] { 3, 10 })));
        Assert.Contains("out of bounds", e.Message);
    }
}
