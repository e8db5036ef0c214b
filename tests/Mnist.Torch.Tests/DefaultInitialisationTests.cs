using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>
/// A module built after manual_seed(s) holds bit for bit the weights PyTorch's would after torch.manual_seed(s):
/// the same generator drawn in the same order with the same bounds. That is what lets a seed's PyTorch run be
/// reproduced here from its seed alone.
/// </summary>
public class DefaultInitialisationTests
{
    public static IEnumerable<object[]> Cases() => new (string python, Func<nn.Module<Tensor, Tensor>> make)[]
    {
        ("nn.Conv2d(1, 8, 3)", () => nn.Conv2d(1, 8, 3)),
        ("nn.Conv2d(16, 10, 1, bias=False)", () => nn.Conv2d(16, 10, 1, bias: false)),
        ("nn.Linear(32, 10)", () => nn.Linear(32, 10)),
        ("nn.BatchNorm2d(6)", () => nn.BatchNorm2d(6)),
        ("nn.BatchNorm1d(5)", () => nn.BatchNorm1d(5)),
        ("nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 8, 3, padding=1), nn.Linear(8, 10))",
            () => nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.Conv2d(4, 8, 3, padding: 1), nn.Linear(8, 10))),
    }.Select(c => new object[] { c.python, c.make });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Weights_after_manual_seed_are_pytorchs_to_the_bit(string python, Func<nn.Module<Tensor, Tensor>> make)
    {
        using var scope = NewDisposeScope();
        const int seed = 2024;
        manual_seed(seed);
        using var module = make();
        var expected = PyTorch.Run("init_parity.py", new Dictionary<string, Tensor> { ["unused"] = zeros(1) }, python, seed.ToString());

        var state = module.state_dict();
        Assert.Equal(expected.Keys.OrderBy(k => k), state.Keys.OrderBy(k => k));
        foreach (var (name, value) in state)
            TensorAssert.Close(expected[name], value, tolerance: 0, what: $"{python} {name}");
    }
}
