using System;

namespace Mnist.Torch;

/// <summary>Raw at::Tensor* pointers for state the shim owns and updates in place (optimizer buffers).</summary>
internal static class NativeTensor
{
    /// <summary>A new managed tensor sharing the data of a pointer that stays owned elsewhere.</summary>
    public static torch.Tensor Borrow(IntPtr pointer)
    {
        var handle = NativeMethods.mt_alias_raw(pointer);
        return handle.IsInvalid ? throw TorchException.Last() : new torch.Tensor(handle);
    }

    /// <summary>A new raw pointer sharing the tensor's data; the caller frees it with mt_tensor_free.</summary>
    public static IntPtr Own(torch.Tensor tensor)
    {
        var pointer = NativeMethods.mt_alias_to_raw(tensor.Handle);
        return pointer != IntPtr.Zero ? pointer : throw TorchException.Last();
    }
}
