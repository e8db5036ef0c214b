using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Torch.Modules;

namespace Mnist.Torch.Optim;

/// <summary>
/// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay: PyTorch's update rule,
/// run in one native call per step over all parameters (no per-parameter managed round trips).
/// </summary>
public sealed class SGD : Optimizer
{
    private readonly double dampening, weightDecay;
    private readonly bool nesterov, maximize;
    private readonly StateSlots momentumBuffers;

    internal SGD(IEnumerable<Parameter> parameters, double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize)
        : base(parameters, lr, momentum)
    {
        if (momentum < 0) throw new ArgumentException($"Invalid momentum value: {momentum}; it must be >= 0.");
        if (weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {weight_decay}; it must be >= 0.");
        if (nesterov && (momentum <= 0 || dampening != 0)) throw new ArgumentException("Nesterov momentum requires a momentum and zero dampening");
        (this.dampening, weightDecay, this.nesterov, this.maximize) = (dampening, weight_decay, nesterov, maximize);
        momentumBuffers = new StateSlots(ParamGroups[0].Parameters.Count);
    }

    public override unsafe void step()
    {
        var group = ParamGroups[0];
        var parameters = Pointers(group.Parameters);
        fixed (IntPtr* p = parameters, b = momentumBuffers.Pointers)
            NativeMethods.Check(NativeMethods.mt_sgd_step(p, parameters.Length, b, group.LearningRate, group.Momentum, dampening, weightDecay, nesterov ? 1 : 0, maximize ? 1 : 0));
        GC.KeepAlive(group.Parameters);
    }

    public override Dictionary<string, torch.Tensor> state_tensors()
    {
        var state = new Dictionary<string, torch.Tensor>();
        for (var i = 0; i < momentumBuffers.Pointers.Length; i++)
            if (momentumBuffers.Get(i) is { } buffer) state[$"{i}.momentum_buffer"] = buffer;
        return state;
    }

    public override void load_state_tensors(IReadOnlyDictionary<string, torch.Tensor> state)
    {
        for (var i = 0; i < momentumBuffers.Pointers.Length; i++)
            if (state.TryGetValue($"{i}.momentum_buffer", out var buffer)) momentumBuffers.Set(i, buffer.clone().DetachFromDisposeScope());
    }

    public override void Dispose() => momentumBuffers.Dispose();
}
