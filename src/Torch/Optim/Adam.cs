using System;
using System.Collections.Generic;
using Mnist.Torch.Modules;

namespace Mnist.Torch.Optim;

/// <summary>
/// Adam, and AdamW when the weight decay is decoupled: PyTorch's update rule (bias-corrected moments,
/// optional AMSGrad), run in one native call per step.
/// </summary>
public class Adam : Optimizer
{
    private readonly double beta2, eps, weightDecay;
    private readonly bool amsgrad, maximize, decoupled;
    private readonly StateSlots expAvg, expAvgSq, maxExpAvgSq;
    private readonly double[] steps;

    internal Adam(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize, bool decoupled)
        : base(parameters, lr, beta1)
    {
        if (eps < 0) throw new ArgumentException($"Invalid epsilon value: {eps}; it must be >= 0.");
        if (beta1 is < 0 or >= 1) throw new ArgumentException($"Invalid beta parameter at index 0: {beta1}; it must be in [0, 1).");
        if (beta2 is < 0 or >= 1) throw new ArgumentException($"Invalid beta parameter at index 1: {beta2}; it must be in [0, 1).");
        if (weight_decay < 0) throw new ArgumentException($"Invalid weight_decay value: {weight_decay}; it must be >= 0.");
        (this.beta2, this.eps, weightDecay, this.amsgrad, this.maximize, this.decoupled) = (beta2, eps, weight_decay, amsgrad, maximize, decoupled);
        var count = ParamGroups[0].Parameters.Count;
        (expAvg, expAvgSq, maxExpAvgSq, steps) = (new StateSlots(count), new StateSlots(count), new StateSlots(count), new double[count]);
    }

    public override unsafe void step()
    {
        var group = ParamGroups[0];
        var parameters = Pointers(group.Parameters);
        fixed (IntPtr* p = parameters, m = expAvg.Pointers, v = expAvgSq.Pointers, vmax = maxExpAvgSq.Pointers)
        fixed (double* s = steps)
            NativeMethods.Check(NativeMethods.mt_adam_step(p, parameters.Length, m, v, vmax, s, group.LearningRate, group.Momentum, beta2, eps, weightDecay,
                amsgrad ? 1 : 0, maximize ? 1 : 0, decoupled ? 1 : 0));
        GC.KeepAlive(group.Parameters);
    }

    public override Dictionary<string, torch.Tensor> state_tensors()
    {
        var state = new Dictionary<string, torch.Tensor>();
        for (var i = 0; i < steps.Length; i++)
        {
            if (expAvg.Get(i) is not { } m) continue;
            state[$"{i}.step"] = torch.tensor(new[] { steps[i] }, new long[] { 1 });
            state[$"{i}.exp_avg"] = m;
            state[$"{i}.exp_avg_sq"] = expAvgSq.Get(i)!;
            if (maxExpAvgSq.Get(i) is { } vmax) state[$"{i}.max_exp_avg_sq"] = vmax;
        }
        return state;
    }

    public override void load_state_tensors(IReadOnlyDictionary<string, torch.Tensor> state)
    {
        for (var i = 0; i < steps.Length; i++)
        {
            if (!state.TryGetValue($"{i}.exp_avg", out var m)) continue;
            steps[i] = state[$"{i}.step"].item<double>();
            expAvg.Set(i, m.clone().DetachFromDisposeScope());
            expAvgSq.Set(i, state[$"{i}.exp_avg_sq"].clone().DetachFromDisposeScope());
            if (state.TryGetValue($"{i}.max_exp_avg_sq", out var vmax)) maxExpAvgSq.Set(i, vmax.clone().DetachFromDisposeScope());
        }
    }

    public override void Dispose()
    {
        expAvg.Dispose();
        expAvgSq.Dispose();
        maxExpAvgSq.Dispose();
    }
}

/// <summary>Adam with decoupled weight decay (the parameter shrinks by lr·weight_decay each step).</summary>
public sealed class AdamW : Adam
{
    internal AdamW(IEnumerable<Parameter> parameters, double lr, double beta1, double beta2, double eps, double weight_decay, bool amsgrad, bool maximize)
        : base(parameters, lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled: true) { }
}
