using System;
using System.Collections.Generic;
using System.Linq;
using Mnist.Torch.Modules;

namespace Mnist.Torch.Optim;

/// <summary>
/// One group of parameters with its own hyper-parameters. Schedulers change <see cref="LearningRate"/>
/// (and <see cref="Momentum"/> when they cycle it) between steps.
/// </summary>
public sealed class ParamGroup
{
    internal ParamGroup(IEnumerable<Parameter> parameters, double learningRate, double momentum)
    {
        Parameters = parameters.ToArray();
        LearningRate = InitialLearningRate = learningRate;
        Momentum = momentum;
    }

    public IReadOnlyList<Parameter> Parameters { get; }

    public double LearningRate { get; set; }

    /// <summary>The rate the optimizer was created with (PyTorch's initial_lr), the base schedulers scale.</summary>
    public double InitialLearningRate { get; set; }

    /// <summary>SGD's momentum, or Adam's beta1: the value OneCycleLR cycles.</summary>
    public double Momentum { get; set; }
}

/// <summary>Base of the optimizers in <see cref="torch.optim"/>.</summary>
public abstract class Optimizer : IDisposable
{
    private protected Optimizer(IEnumerable<Parameter> parameters, double learningRate, double momentum)
    {
        if (learningRate < 0) throw new ArgumentException($"Invalid learning rate: {learningRate}; it must be >= 0.");
        var group = new ParamGroup(parameters, learningRate, momentum);
        if (group.Parameters.Count == 0) throw new ArgumentException("optimizer got an empty parameter list");
        ParamGroups = new[] { group };
    }

    public IReadOnlyList<ParamGroup> ParamGroups { get; }

    /// <summary>Updates every parameter that has a gradient; parameters without one are left as they are.</summary>
    public abstract void step();

    public void zero_grad(bool set_to_none = true)
    {
        foreach (var p in ParamGroups.SelectMany(g => g.Parameters))
        {
            if (set_to_none) p.grad = null;
            else
            {
                using var g = p.grad;
                g?.zero_();
            }
        }
    }

    /// <summary>The optimizer's per-parameter state tensors by stable key ("{index}.{name}"), for checkpoints.</summary>
    public abstract Dictionary<string, torch.Tensor> state_tensors();

    /// <summary>Restores what <see cref="state_tensors"/> returned (copies of it, e.g. read from a checkpoint).</summary>
    public abstract void load_state_tensors(IReadOnlyDictionary<string, torch.Tensor> state);

    public abstract void Dispose();

    private protected static unsafe IntPtr[] Pointers(IReadOnlyList<Parameter> parameters) =>
        parameters.Select(p => p.Handle.DangerousGetHandle()).ToArray();

    /// <summary>Per-parameter state slots a shim step fills in lazily (nullptr until the first step).</summary>
    private protected sealed class StateSlots : IDisposable
    {
        public StateSlots(int count) => Pointers = new IntPtr[count];

        public IntPtr[] Pointers { get; }

        public torch.Tensor? Get(int index) => Pointers[index] == IntPtr.Zero ? null : NativeTensor.Borrow(Pointers[index]);

        public void Set(int index, torch.Tensor value)
        {
            Release(index);
            Pointers[index] = NativeTensor.Own(value);
        }

        private void Release(int index)
        {
            if (Pointers[index] != IntPtr.Zero) NativeMethods.mt_tensor_free(Pointers[index]);
            Pointers[index] = IntPtr.Zero;
        }

        public void Dispose()
        {
            for (var i = 0; i < Pointers.Length; i++) Release(i);
        }
    }
}
