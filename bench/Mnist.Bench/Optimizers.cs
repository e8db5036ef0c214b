using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>One optimizer as the step profile drives it: clearing gradients, then the update.</summary>
internal interface ITrainingStep : IDisposable
{
    void ZeroGrad();

    void Step();
}

/// <summary>
/// The optimizer <see cref="StepProfile"/> drives: TorchSharp's SGD, lr 0.01 momentum 0.9 as the benchmarks train.
/// TorchSharp 0.107 binds none of libtorch's _foreach or fused optimizer kernels, so its step is a C# loop of three
/// native calls per parameter (about 0.3-0.5 ms a step for these networks, under 0.5% of a step at batch 128,
/// about what PyTorch 1.13's Python loop takes): a flat or fused step would not pay for itself here.
/// </summary>
internal static class Optimizers
{
    public static ITrainingStep Sgd(nn.Module model, bool setToNone) =>
        new TorchSharpSgd(model, optim.SGD(model.parameters(), learningRate: 0.01, momentum: 0.9), setToNone);

    /// <summary>
    /// TorchSharp's SGD. Its zero_grad fills every gradient with zeros; with <c>setToNone</c> the gradients are
    /// dropped instead, as PyTorch's zero_grad(set_to_none=True) (the default since 2.0) does, so that backward
    /// writes fresh ones rather than adding into zeros.
    /// </summary>
    private sealed class TorchSharpSgd(nn.Module model, SGD optimizer, bool setToNone) : ITrainingStep
    {
        private readonly Parameter[] _parameters = model.parameters().ToArray();

        public void ZeroGrad()
        {
            if (!setToNone) { optimizer.zero_grad(); return; }
            foreach (var p in _parameters) p.grad = null;
        }

        public void Step() => optimizer.step();

        public void Dispose() => optimizer.Dispose();
    }
}
