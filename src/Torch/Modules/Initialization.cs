using System;

namespace Mnist.Torch.Modules;

/// <summary>PyTorch's default initialisation, reproduced number for number (same generator, same order).</summary>
internal static class Initialization
{
    /// <summary>
    /// What torch.nn.Conv2d and torch.nn.Linear do in reset_parameters: kaiming_uniform_(weight, a=√5),
    /// then bias ~ U(-1/√fan_in, 1/√fan_in). The arithmetic follows torch.nn.init step by step so the
    /// bounds are bit-identical to PyTorch's.
    /// </summary>
    public static void ResetLinearLike(Parameter weight, Parameter? bias, long fanIn)
    {
        var a = Math.Sqrt(5.0);
        var gain = Math.Sqrt(2.0 / (1 + a * a));
        var std = gain / Math.Sqrt(fanIn);
        var bound = Math.Sqrt(3.0) * std;
        weight.uniform_(-bound, bound);
        if (bias is null) return;
        var biasBound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        bias.uniform_(-biasBound, biasBound);
    }
}
