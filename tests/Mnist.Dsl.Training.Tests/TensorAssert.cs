using System;
using System.Linq;
using TorchSharp;
using Xunit;

namespace Mnist.Dsl.Training.Tests;

internal static class TensorAssert
{
    /// <summary>Same shape, and every element within tolerance (absolute, plus relative to the expected value).</summary>
    public static void Close(torch.Tensor expected, torch.Tensor actual, double tolerance = 1e-5, string what = "")
    {
        Assert.True(expected.shape.SequenceEqual(actual.shape),
            $"{what}: shape [{string.Join(", ", actual.shape)}] differs from the expected [{string.Join(", ", expected.shape)}]");
        using var e = expected.to_type(torch.float64);
        using var a = actual.to_type(torch.float64);
        var ev = e.data<double>().ToArray();
        var av = a.data<double>().ToArray();
        for (var i = 0; i < ev.Length; i++)
        {
            var diff = Math.Abs(ev[i] - av[i]);
            Assert.True(diff <= tolerance * (1 + Math.Abs(ev[i])), $"{what}: element {i} is {av[i]} but expected {ev[i]} (difference {diff:E2} > {tolerance:E0})");
        }
    }
}
