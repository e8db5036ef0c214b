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
[Collection(Serial.Name)]
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

/// <summary>The generator state round-trips: what follows a restored state is what followed the saved one.</summary>
[Collection(Serial.Name)]
public class RandomStateTests
{
    [Fact]
    public void Restoring_a_saved_state_repeats_the_draws_that_followed_it()
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        _ = rand(3);
        var state = get_rng_state();
        var first = rand(4).data<float>().ToArray();
        var permutation = randperm(10).data<long>().ToArray();
        Assert.NotEqual(first, rand(4).data<float>().ToArray());

        set_rng_state(state);
        Assert.Equal(first, rand(4).data<float>().ToArray());
        Assert.Equal(permutation, randperm(10).data<long>().ToArray());
    }

    [Fact]
    public void A_state_that_is_not_a_generator_state_is_refused_with_libtorchs_message()
    {
        using var scope = NewDisposeScope();
        var e = Assert.Throws<TorchException>(() => set_rng_state(zeros(3)));
        Assert.Contains("RNG state", e.Message, StringComparison.OrdinalIgnoreCase);
    }
}
