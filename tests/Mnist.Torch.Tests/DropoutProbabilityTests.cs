using System;
using System.Linq;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>
/// Dropout's p is settable, as in TorchSharp and PyTorch: at 0 a module in training mode passes its input
/// through, which is how a training step is compared with PyTorch's without random masks. Serial: a broken
/// setter would draw from libtorch's global generator.
/// </summary>
[Collection(Serial.Name)]
public class DropoutProbabilityTests
{
    private static readonly float[] Values = Enumerable.Range(1, 64).Select(i => (float)i).ToArray();

    [Fact]
    public void Dropout_with_p_set_to_zero_is_the_identity_in_training()
    {
        using var scope = NewDisposeScope();
        using var dropout = nn.Dropout(0.9);
        dropout.train();
        dropout.p = 0;

        var output = dropout.forward(tensor(Values, new long[] { 4, 16 }));

        Assert.Equal(0, dropout.p);
        Assert.Equal(Values, output.data<float>().ToArray());
    }

    [Fact]
    public void Dropout2d_with_p_set_to_zero_is_the_identity_in_training()
    {
        using var scope = NewDisposeScope();
        using var dropout = nn.Dropout2d(0.9);
        dropout.train();
        dropout.p = 0;

        var output = dropout.forward(tensor(Values, new long[] { 2, 8, 2, 2 }));

        Assert.Equal(Values, output.data<float>().ToArray());
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void A_probability_outside_0_to_1_is_refused_and_p_is_unchanged(double p)
    {
        using var dropout = nn.Dropout(0.25);
        using var dropout2d = nn.Dropout2d(0.25);

        var e = Assert.Throws<ArgumentException>(() => dropout.p = p);
        Assert.Throws<ArgumentException>(() => dropout2d.p = p);

        Assert.Contains("between 0 and 1", e.Message);
        Assert.Equal(0.25, dropout.p);
        Assert.Equal(0.25, dropout2d.p);
    }
}
