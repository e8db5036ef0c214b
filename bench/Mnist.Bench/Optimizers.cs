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

/// <summary>The optimizers <see cref="StepProfile"/> compares, all SGD lr 0.01 momentum 0.9 as the benchmarks train.</summary>
internal static class Optimizers
{
    public static ITrainingStep Sgd(nn.Module model, bool flat, bool setToNone)
    {
        if (flat) throw new ArgumentException("the flat SGD is not there yet");
        return new TorchSharpSgd(model, optim.SGD(model.parameters(), learningRate: 0.01, momentum: 0.9), setToNone);
    }

    /// <summary>
    /// TorchSharp's SGD. Its zero_grad fills every gradient with zeros; with <c>setToNone</c> the gradients are
    /// dropped instead, as PyTorch's zero_grad(set_to_none=True) (the default since 2.0) does, so that backward
    /// writes fresh ones rather than adding into zeros.
    /// </summary>
    private sealed class TorchSharpSgd(nn.Module model, SGD optimizer, bool setToNone) : ITrainingStep
    {
        private readonly Parameter[] parameters = model.parameters().ToArray();

        public void ZeroGrad()
        {
            if (!setToNone) { optimizer.zero_grad(); return; }
            foreach (var p in parameters) p.grad = null;
        }

        public void Step() => optimizer.step();

        public void Dispose() => optimizer.Dispose();
    }
}
