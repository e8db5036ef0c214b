using System;
using System.Collections.Generic;
using System.Linq;
using Xunit;
using static Mnist.Torch.torch;

namespace Mnist.Torch.Tests;

/// <summary>Each loss and its gradient equal PyTorch's on the same inputs.</summary>
public class LossParityTests
{
    private static readonly long[] Targets = { 3, 0, 9, 9, 1, 4 };
    private static readonly float[] ClassWeights = { 1, 2, 0.5f, 1, 1, 3, 1, 1, 0.25f, 1 };

    public static IEnumerable<object[]> Cases() => new (string python, Func<Tensor, Tensor, Tensor?, Tensor> loss, bool logProbabilities, bool weighted)[]
    {
        ("F.nll_loss(x, t)", (x, t, _) => nn.functional.nll_loss(x, t), true, false),
        ("F.nll_loss(x, t, reduction='sum')", (x, t, _) => nn.functional.nll_loss(x, t, reduction: nn.Reduction.Sum), true, false),
        ("F.nll_loss(x, t, reduction='none').sum()", (x, t, _) => nn.functional.nll_loss(x, t, reduction: nn.Reduction.None).sum(), true, false),
        ("F.nll_loss(x, t, weight=w)", (x, t, w) => nn.functional.nll_loss(x, t, weight: w), true, true),
        ("F.nll_loss(x, t, ignore_index=9)", (x, t, _) => nn.functional.nll_loss(x, t, ignore_index: 9), true, false),
        ("F.cross_entropy(x, t)", (x, t, _) => nn.functional.cross_entropy(x, t), false, false),
        ("F.cross_entropy(x, t, reduction='sum')", (x, t, _) => nn.functional.cross_entropy(x, t, reduction: nn.Reduction.Sum), false, false),
        ("F.cross_entropy(x, t, weight=w)", (x, t, w) => nn.functional.cross_entropy(x, t, weight: w), false, true),
        ("F.cross_entropy(x, t, label_smoothing=0.1)", (x, t, _) => nn.functional.cross_entropy(x, t, label_smoothing: 0.1), false, false),
        ("F.nll_loss(F.log_softmax(x, dim=1), t)", (x, t, _) => nn.functional.nll_loss(nn.functional.log_softmax(x, 1), t), false, false),
    }.Select(c => new object[] { c.python, c.loss, c.logProbabilities, c.weighted });

    [Theory]
    [MemberData(nameof(Cases))]
    public void Loss_and_input_gradient_equal_pytorch(string python, Func<Tensor, Tensor, Tensor?, Tensor> loss, bool logProbabilities, bool weighted)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var logits = randn(new long[] { Targets.Length, 10 });
        var x = (logProbabilities ? nn.functional.log_softmax(logits, 1) : logits).detach().requires_grad_();
        var t = tensor(Targets);
        var w = weighted ? tensor(ClassWeights) : null;

        var value = loss(x, t, w);
        value.backward();

        var inputs = new Dictionary<string, Tensor> { ["x"] = x.detach(), ["t"] = t };
        if (w is not null) inputs["w"] = w;
        var expected = PyTorch.Run("loss_parity.py", inputs, python);
        TensorAssert.Close(expected["loss"], value.reshape(-1), what: $"{python} value");
        TensorAssert.Close(expected["x.grad"], x.grad!, what: $"{python} gradient");
    }

    [Fact]
    public void Mean_squared_error_and_its_gradient_equal_pytorch()
    {
        using var scope = NewDisposeScope();
        manual_seed(12);
        var x = randn(new long[] { 4, 3 }).requires_grad_();
        var t = randn(new long[] { 4, 3 });
        var value = nn.functional.mse_loss(x, t);
        value.backward();
        var expected = PyTorch.Run("loss_parity.py", new Dictionary<string, Tensor> { ["x"] = x.detach(), ["t"] = t }, "F.mse_loss(x, t)");
        TensorAssert.Close(expected["loss"], value.reshape(-1), what: "mse_loss value");
        TensorAssert.Close(expected["x.grad"], x.grad!, what: "mse_loss gradient");
    }
}
