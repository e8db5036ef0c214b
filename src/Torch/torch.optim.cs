using System.Collections.Generic;
using Mnist.Torch.Modules;
using Mnist.Torch.Optim;

namespace Mnist.Torch;

public static partial class torch
{
    /// <summary>Optimizer factories with TorchSharp's names and defaults.</summary>
    public static partial class optim
    {
        public static SGD SGD(IEnumerable<Parameter> parameters, double lr, double momentum = 0, double dampening = 0, double weight_decay = 0, bool nesterov = false, bool maximize = false)
            => new(parameters, lr, momentum, dampening, weight_decay, nesterov, maximize);

        public static Adam Adam(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0, bool amsgrad = false, bool maximize = false)
            => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: false);

        public static AdamW AdamW(IEnumerable<Parameter> parameters, double lr = 1e-3, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8, double weight_decay = 0.01, bool amsgrad = false, bool maximize = false)
            => new(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize);
    }
}
