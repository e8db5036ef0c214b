using System;
using System.Linq;

namespace Mnist.Torch;

public static partial class torch
{
    /// <summary>A libtorch tensor. Dispose it, or create it inside a <see cref="DisposeScope"/>.</summary>
    public partial class Tensor : IDisposable
    {
        private readonly TensorHandle handle;

        internal Tensor(TensorHandle handle)
        {
            this.handle = handle;
            DisposeScope.Current?.Add(this);
        }

        /// <summary>Wraps a handle a shim call returned, throwing libtorch's message if the call failed.</summary>
        internal static Tensor From(TensorHandle handle) => handle.IsInvalid ? throw TorchException.Last() : new Tensor(handle);

        internal TensorHandle Handle => !handle.IsClosed ? handle : throw new ObjectDisposedException(nameof(Tensor), "This tensor was disposed (by its dispose scope or by Dispose()); move it out of the scope to keep it.");

        /// <summary>The native pointer of an optional tensor, for shim arguments that accept nullptr.</summary>
        internal static IntPtr PointerOf(Tensor? tensor) => tensor is null ? IntPtr.Zero : tensor.Handle.DangerousGetHandle();

        public bool IsDisposed => handle.IsClosed;

        public long Dimensions => NativeMethods.mt_ndim(Handle);

        public long dim() => Dimensions;

        public unsafe long[] shape
        {
            get
            {
                var result = new long[NativeMethods.mt_ndim(Handle)];
                fixed (long* p = result) NativeMethods.mt_shape(Handle, p);
                return result;
            }
        }

        public long size(int dim)
        {
            var s = shape;
            return s[dim < 0 ? s.Length + dim : dim];
        }

        public long numel() => NativeMethods.mt_numel(Handle);

        public ScalarType dtype => (ScalarType)NativeMethods.mt_dtype(Handle);

        /// <summary>The value of a one-element tensor.</summary>
        public T item<T>() where T : unmanaged
        {
            if (typeof(T) == typeof(float) || typeof(T) == typeof(double))
            {
                NativeMethods.Check(NativeMethods.mt_item_double(Handle, out var d));
                return typeof(T) == typeof(float) ? (T)(object)(float)d : (T)(object)d;
            }
            NativeMethods.Check(NativeMethods.mt_item_long(Handle, out var l));
            if (typeof(T) == typeof(long)) return (T)(object)l;
            if (typeof(T) == typeof(int)) return (T)(object)checked((int)l);
            if (typeof(T) == typeof(byte)) return (T)(object)checked((byte)l);
            if (typeof(T) == typeof(bool)) return (T)(object)(l != 0);
            throw new NotSupportedException($"item<{typeof(T).Name}> is not supported.");
        }

        /// <summary>The elements, in row-major order, copied out. T must match <see cref="dtype"/>.</summary>
        public TensorAccessor<T> data<T>() where T : unmanaged => new(CopyOut<T>());

        internal unsafe T[] CopyOut<T>() where T : unmanaged
        {
            var expected = ScalarTypeOf<T>();
            if (dtype != expected)
                throw new InvalidOperationException($"This tensor holds {dtype}; read it as that type or convert it with to_type({expected}) first.");
            var result = new T[numel()];
            fixed (T* p = result) NativeMethods.Check(NativeMethods.mt_copy_to(Handle, p, (long)result.Length * sizeof(T)));
            return result;
        }

        /// <summary>Overwrites the elements from a span of the same length and element type.</summary>
        public unsafe void CopyFrom<T>(ReadOnlySpan<T> values) where T : unmanaged
        {
            var expected = ScalarTypeOf<T>();
            if (dtype != expected) throw new InvalidOperationException($"This tensor holds {dtype}, not {expected}.");
            fixed (T* p = values) NativeMethods.Check(NativeMethods.mt_copy_from(Handle, p, (long)values.Length * sizeof(T)));
        }

        /// <summary>Keeps this tensor alive past the current dispose scope by handing it to the enclosing one.</summary>
        public Tensor MoveToOuterDisposeScope()
        {
            DisposeScope.Current?.MoveToOuter(this);
            return this;
        }

        /// <summary>Takes this tensor out of every dispose scope; its owner disposes it.</summary>
        public Tensor DetachFromDisposeScope()
        {
            DisposeScope.Current?.Remove(this);
            return this;
        }

        public void Dispose()
        {
            DisposeScope.Current?.Remove(this);
            DisposeWithoutScope();
        }

        internal void DisposeWithoutScope() => handle.Dispose();

        public override string ToString() => IsDisposed ? "Tensor (disposed)" : $"Tensor [{string.Join(", ", shape)}], type = {dtype}";
    }
}

/// <summary>A copy of a tensor's elements (TorchSharp's <c>tensor.data&lt;T&gt;()</c>).</summary>
public sealed class TensorAccessor<T> : System.Collections.Generic.IReadOnlyList<T> where T : unmanaged
{
    private readonly T[] values;

    internal TensorAccessor(T[] values) => this.values = values;

    public T this[int index] => values[index];

    public int Count => values.Length;

    public T[] ToArray() => (T[])values.Clone();

    public System.Collections.Generic.IEnumerator<T> GetEnumerator() => ((System.Collections.Generic.IEnumerable<T>)values).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => values.GetEnumerator();
}
