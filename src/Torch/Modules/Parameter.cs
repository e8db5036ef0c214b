namespace Mnist.Torch.Modules;

/// <summary>
/// A tensor a module trains: a leaf of the autograd graph that requires grad by default. It shares the
/// data of the tensor it is made from, and belongs to its module, never to a dispose scope.
/// </summary>
public sealed class Parameter : torch.Tensor
{
    public Parameter(torch.Tensor data, bool requires_grad = true)
        : base(Detached(data))
    {
        DetachFromDisposeScope();
        this.requires_grad = requires_grad;
    }

    /// <summary>A parameter made from a freshly created tensor, which it disposes (the parameter keeps the data).</summary>
    internal static Parameter Take(torch.Tensor data)
    {
        using (data) return new Parameter(data);
    }

    private static TensorHandle Detached(torch.Tensor data)
    {
        var handle = NativeMethods.mt_detach(data.Handle);
        return handle.IsInvalid ? throw TorchException.Last() : handle;
    }
}
