using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Torch;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>Every layer's forward output, gradients and running statistics equal PyTorch's on the same inputs and weights.</summary>
[Collection(Serial.Name)]
public class LayerParityTests
{
    public static IEnumerable<object[]> Cases() => new (string python, Func<nn.Module<Tensor, Tensor>> make, long[] input, bool train)[]
    {
        ("nn.Conv2d(3, 4, 3)", () => nn.Conv2d(3, 4, 3), new long[] { 2, 3, 9, 9 }, true),
        ("nn.Conv2d(3, 6, 3, stride=2, padding=1, bias=False)", () => nn.Conv2d(3, 6, 3, stride: 2, padding: 1, bias: false), new long[] { 2, 3, 8, 8 }, true),
        ("nn.Conv2d(4, 8, 1)", () => nn.Conv2d(4, 8, 1), new long[] { 3, 4, 5, 5 }, true),
        ("nn.Linear(12, 5)", () => nn.Linear(12, 5), new long[] { 4, 12 }, true),
        ("nn.Linear(7, 3, bias=False)", () => nn.Linear(7, 3, hasBias: false), new long[] { 4, 7 }, true),
        ("nn.BatchNorm2d(3)", () => nn.BatchNorm2d(3), new long[] { 4, 3, 5, 5 }, true),
        ("nn.BatchNorm2d(3, momentum=0.2, eps=1e-3)", () => nn.BatchNorm2d(3, eps: 1e-3, momentum: 0.2), new long[] { 4, 3, 5, 5 }, true),
        ("nn.BatchNorm2d(3)", () => nn.BatchNorm2d(3), new long[] { 4, 3, 5, 5 }, false),
        ("nn.BatchNorm1d(6)", () => nn.BatchNorm1d(6), new long[] { 8, 6 }, true),
        ("nn.BatchNorm1d(6)", () => nn.BatchNorm1d(6), new long[] { 8, 6 }, false),
        ("nn.Dropout(0.3)", () => nn.Dropout(0.3), new long[] { 4, 50 }, true),
        ("nn.Dropout(0.3)", () => nn.Dropout(0.3), new long[] { 4, 50 }, false),
        ("nn.Dropout2d(0.25)", () => nn.Dropout2d(0.25), new long[] { 4, 8, 3, 3 }, true),
        ("nn.MaxPool2d(2)", () => nn.MaxPool2d(2), new long[] { 2, 3, 7, 7 }, true),
        ("nn.MaxPool2d(3, stride=2, padding=1)", () => nn.MaxPool2d(3, stride: 2, padding: 1), new long[] { 2, 3, 8, 8 }, true),
        ("nn.AvgPool2d(2)", () => nn.AvgPool2d(2), new long[] { 2, 3, 6, 6 }, true),
        ("nn.AdaptiveAvgPool2d(1)", () => nn.AdaptiveAvgPool2d(1), new long[] { 2, 5, 7, 7 }, true),
        ("nn.ReLU()", () => nn.ReLU(), new long[] { 3, 10 }, true),
        ("nn.Flatten()", () => nn.Flatten(), new long[] { 2, 3, 4, 4 }, true),
        ("nn.LogSoftmax(dim=1)", () => nn.LogSoftmax(1), new long[] { 4, 10 }, true),
        ("nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10), nn.LogSoftmax(dim=1))",
            () => nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.BatchNorm2d(4), nn.MaxPool2d(2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(4, 10), nn.LogSoftmax(1)),
            new long[] { 3, 1, 12, 12 }, true),
    }.Select(c => new object[] { c.python, c.make, c.input, c.train });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Forward_gradients_and_buffers_equal_pytorch(string python, Func<nn.Module<Tensor, Tensor>> make, long[] inputShape, bool train)
    {
        using var scope = NewDisposeScope();
        manual_seed(7);
        using var module = make();
        module.train(train);
        var x = randn(inputShape).requires_grad_();
        var inputs = new Dictionary<string, Tensor> { ["x"] = x.detach() };
        foreach (var (name, value) in module.state_dict()) inputs["state." + name] = value.detach().clone();

        const int dropoutSeed = 123;
        manual_seed(dropoutSeed);
        var y = module.forward(x);
        var g = randn(y.shape);
        inputs["g"] = g;
        (y * g).sum().backward();

        var expected = PyTorch.Run("layer_parity.py", inputs, python, train ? "train" : "eval", dropoutSeed.ToString());

        TensorAssert.Close(expected["y"], y, what: $"{python} output");
        TensorAssert.Close(expected["x.grad"], x.grad!, what: $"{python} input gradient");
        foreach (var (name, p) in module.named_parameters())
            TensorAssert.Close(expected["grad." + name], p.grad!, what: $"{python} gradient of {name}");
        foreach (var (name, b) in module.named_buffers())
            TensorAssert.Close(expected["buffer." + name], b, what: $"{python} buffer {name}");
    }
}
