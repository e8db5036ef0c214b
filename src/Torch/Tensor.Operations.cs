using System;
using System.Linq;
using static Mnist.Torch.NativeMethods;

namespace Mnist.Torch;

public static partial class torch
{
    public partial class Tensor
    {
        // ------------------------------------------------------------ views and selection

        public unsafe Tensor reshape(params long[] shape)
        {
            fixed (long* p = shape) return From(mt_reshape(Handle, p, shape.Length));
        }

        /// <summary>F#-friendly overload: shapes as int.</summary>
        public Tensor reshape(params int[] shape) => reshape(Array.ConvertAll(shape, x => (long)x));

        public unsafe Tensor view(params long[] shape)
        {
            fixed (long* p = shape) return From(mt_view(Handle, p, shape.Length));
        }

        public Tensor view(params int[] shape) => view(Array.ConvertAll(shape, x => (long)x));

        public Tensor flatten(long start_dim = 0, long end_dim = -1) => From(mt_flatten(Handle, start_dim, end_dim));

        public Tensor narrow(long dim, long start, long length) => From(mt_narrow(Handle, dim, start, length));

        public Tensor index_select(long dim, Tensor index) => From(mt_index_select(Handle, dim, index.Handle));

        public Tensor contiguous() => From(mt_contiguous(Handle));

        public Tensor clone() => From(mt_clone(Handle));

        /// <summary>The same data, cut from the autograd graph.</summary>
        public Tensor detach() => From(mt_detach(Handle));

        public Tensor to_type(ScalarType type) => From(mt_to_dtype(Handle, (int)type));

        /// <summary>A second managed reference to the same native tensor, with its own lifetime.</summary>
        public Tensor alias() => From(mt_alias(Handle));

        // ------------------------------------------------------------ arithmetic

        public Tensor add(Tensor other) => From(mt_add(Handle, other.Handle, 1));
        public Tensor add(Tensor other, double alpha) => From(mt_add(Handle, other.Handle, alpha));
        public Tensor add(double scalar) => From(mt_add_scalar(Handle, scalar));
        public Tensor sub(Tensor other) => From(mt_sub(Handle, other.Handle));
        public Tensor sub(double scalar) => From(mt_add_scalar(Handle, -scalar));
        public Tensor mul(Tensor other) => From(mt_mul(Handle, other.Handle));
        public Tensor mul(double scalar) => From(mt_mul_scalar(Handle, scalar));
        public Tensor div(Tensor other) => From(mt_div(Handle, other.Handle));
        public Tensor div(double scalar) => From(mt_div_scalar(Handle, scalar));
        public Tensor neg() => From(mt_neg(Handle));
        public Tensor exp() => From(mt_exp(Handle));
        public Tensor log() => From(mt_log(Handle));
        public Tensor sqrt() => From(mt_sqrt(Handle));
        public Tensor abs() => From(mt_abs(Handle));
        public Tensor pow(double exponent) => From(mt_pow_scalar(Handle, exponent));
        public Tensor sigmoid() => From(mt_sigmoid(Handle));
        public Tensor matmul(Tensor other) => From(mt_matmul(Handle, other.Handle));
        public Tensor cos() => From(mt_cos(Handle));
        public Tensor sin() => From(mt_sin(Handle));

        public static Tensor operator +(Tensor a, Tensor b) => a.add(b);
        public static Tensor operator +(Tensor a, double b) => a.add(b);
        public static Tensor operator +(double a, Tensor b) => b.add(a);
        public static Tensor operator -(Tensor a, Tensor b) => a.sub(b);
        public static Tensor operator -(Tensor a, double b) => a.sub(b);
        public static Tensor operator -(double a, Tensor b) => From(mt_rsub_scalar(b.Handle, a));
        public static Tensor operator -(Tensor a) => a.neg();
        public static Tensor operator *(Tensor a, Tensor b) => a.mul(b);
        public static Tensor operator *(Tensor a, double b) => a.mul(b);
        public static Tensor operator *(double a, Tensor b) => b.mul(a);
        public static Tensor operator /(Tensor a, Tensor b) => a.div(b);
        public static Tensor operator /(Tensor a, double b) => a.div(b);

        // ------------------------------------------------------------ in place (no new tensor)

        public Tensor add_(Tensor other, double alpha = 1)
        {
            Check(mt_add_(Handle, other.Handle, alpha));
            return this;
        }

        public Tensor add_(double scalar)
        {
            Check(mt_add_scalar_(Handle, scalar));
            return this;
        }

        public Tensor mul_(double scalar)
        {
            Check(mt_mul_scalar_(Handle, scalar));
            return this;
        }

        public Tensor copy_(Tensor source)
        {
            Check(mt_copy_(Handle, source.Handle));
            return this;
        }

        public Tensor zero_()
        {
            Check(mt_zero_(Handle));
            return this;
        }

        public Tensor fill_(double value)
        {
            Check(mt_fill_(Handle, value));
            return this;
        }

        public Tensor uniform_(double from = 0, double to = 1)
        {
            Check(mt_uniform_(Handle, from, to));
            return this;
        }

        public Tensor normal_(double mean = 0, double std = 1)
        {
            Check(mt_normal_(Handle, mean, std));
            return this;
        }

        // ------------------------------------------------------------ reductions and comparisons

        public Tensor sum() => From(mt_sum(Handle));
        public Tensor sum(long dim, bool keepdim = false) => From(mt_sum_dim(Handle, dim, keepdim ? 1 : 0));
        public Tensor mean() => From(mt_mean(Handle));
        public Tensor mean(long dim, bool keepdim = false) => From(mt_mean_dim(Handle, dim, keepdim ? 1 : 0));
        public Tensor max() => From(mt_max(Handle));
        public Tensor min() => From(mt_min(Handle));
        public Tensor argmax(long dim, bool keepdim = false) => From(mt_argmax(Handle, dim, keepdim ? 1 : 0));
        public Tensor eq(Tensor other) => From(mt_eq(Handle, other.Handle));

        // ------------------------------------------------------------ autograd

        public bool requires_grad
        {
            get => mt_requires_grad(Handle) != 0;
            set => Check(mt_set_requires_grad(Handle, value ? 1 : 0));
        }

        public Tensor requires_grad_(bool requires_grad = true)
        {
            this.requires_grad = requires_grad;
            return this;
        }

        public void backward() => Check(mt_backward(Handle));

        /// <summary>The accumulated gradient, or null when there is none yet. Setting null clears it.</summary>
        public Tensor? grad
        {
            get
            {
                var g = mt_grad(Handle);
                return g.IsInvalid ? null : new Tensor(g);
            }
            set
            {
                Check(mt_set_grad(Handle, PointerOf(value)));
                GC.KeepAlive(value);
            }
        }
    }

    // ---------------------------------------------------------------- creation

    public static unsafe Tensor tensor<T>(ReadOnlySpan<T> values, ReadOnlySpan<long> dimensions, bool requires_grad = false) where T : unmanaged
    {
        long count = 1;
        foreach (var d in dimensions) count *= d;
        if (count != values.Length)
            throw new ArgumentException($"{values.Length} values do not fill a tensor of shape [{string.Join(", ", dimensions.ToArray())}] ({count} elements).", nameof(values));
        Tensor result;
        fixed (T* data = values)
        fixed (long* shape = dimensions)
            result = Tensor.From(mt_from_data(data, (int)ScalarTypeOf<T>(), shape, dimensions.Length));
        if (requires_grad) result.requires_grad = true;
        return result;
    }

    public static Tensor tensor(float[] values, long[] dimensions, bool requires_grad = false) => tensor<float>(values, dimensions, requires_grad);
    public static Tensor tensor(double[] values, long[] dimensions, bool requires_grad = false) => tensor<double>(values, dimensions, requires_grad);
    public static Tensor tensor(long[] values, long[] dimensions) => tensor<long>(values, dimensions);
    public static Tensor tensor(byte[] values, long[] dimensions) => tensor<byte>(values, dimensions);
    public static Tensor tensor(float[] values, int[] dimensions, bool requires_grad = false) => tensor<float>(values, Longs(dimensions), requires_grad);
    public static Tensor tensor(long[] values, int[] dimensions) => tensor<long>(values, Longs(dimensions));
    public static Tensor tensor(byte[] values, int[] dimensions) => tensor<byte>(values, Longs(dimensions));

    /// <summary>A one-dimensional tensor of the values.</summary>
    public static Tensor tensor(float[] values, bool requires_grad = false) => tensor<float>(values, new long[] { values.Length }, requires_grad);
    public static Tensor tensor(long[] values) => tensor<long>(values, new long[] { values.Length });

    /// <summary>A zero-dimensional (scalar) tensor.</summary>
    public static Tensor tensor(float value, bool requires_grad = false) => tensor<float>(new[] { value }, ReadOnlySpan<long>.Empty, requires_grad);

    public static unsafe Tensor zeros(long[] size, ScalarType dtype = ScalarType.Float32, bool requires_grad = false)
    {
        fixed (long* p = size) return WithGrad(Tensor.From(mt_zeros(p, size.Length, (int)dtype)), requires_grad);
    }

    public static unsafe Tensor ones(long[] size, ScalarType dtype = ScalarType.Float32, bool requires_grad = false)
    {
        fixed (long* p = size) return WithGrad(Tensor.From(mt_ones(p, size.Length, (int)dtype)), requires_grad);
    }

    public static unsafe Tensor empty(long[] size, ScalarType dtype = ScalarType.Float32, bool requires_grad = false)
    {
        fixed (long* p = size) return WithGrad(Tensor.From(mt_empty(p, size.Length, (int)dtype)), requires_grad);
    }

    public static unsafe Tensor full(long[] size, double value, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = size) return Tensor.From(mt_full(p, size.Length, value, (int)dtype));
    }

    /// <summary>Uniform on [0, 1), from the default generator (see <see cref="manual_seed"/>).</summary>
    public static unsafe Tensor rand(long[] size, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = size) return Tensor.From(mt_rand(p, size.Length, (int)dtype));
    }

    public static unsafe Tensor randn(long[] size, ScalarType dtype = ScalarType.Float32)
    {
        fixed (long* p = size) return Tensor.From(mt_randn(p, size.Length, (int)dtype));
    }

    public static unsafe Tensor randint(long low, long high, long[] size)
    {
        fixed (long* p = size) return Tensor.From(mt_randint(low, high, p, size.Length));
    }

    public static Tensor randint(long high, long[] size) => randint(0, high, size);

    public static Tensor randperm(long n) => Tensor.From(mt_randperm(n));

    public static Tensor arange(double start, double end, double step = 1, ScalarType dtype = ScalarType.Int64) => Tensor.From(mt_arange(start, end, step, (int)dtype));

    public static Tensor zeros(params int[] size) => zeros(Longs(size));
    public static Tensor ones(params int[] size) => ones(Longs(size));
    public static Tensor rand(params int[] size) => rand(Longs(size));
    public static Tensor randn(params int[] size) => randn(Longs(size));

    public static unsafe Tensor stack(Tensor[] tensors, long dim = 0)
    {
        var pointers = tensors.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        fixed (IntPtr* p = pointers)
        {
            var result = Tensor.From(mt_stack(p, pointers.Length, dim));
            GC.KeepAlive(tensors);
            return result;
        }
    }

    public static unsafe Tensor cat(Tensor[] tensors, long dim = 0)
    {
        var pointers = tensors.Select(t => t.Handle.DangerousGetHandle()).ToArray();
        fixed (IntPtr* p = pointers)
        {
            var result = Tensor.From(mt_cat(p, pointers.Length, dim));
            GC.KeepAlive(tensors);
            return result;
        }
    }

    internal static long[] Longs(int[] values) => Array.ConvertAll(values, x => (long)x);

    private static Tensor WithGrad(Tensor t, bool requires_grad)
    {
        if (requires_grad) t.requires_grad = true;
        return t;
    }

    // ---------------------------------------------------------------- global state

    /// <summary>Seeds libtorch's default generator (initialisation, dropout, randperm, rand).</summary>
    public static void manual_seed(long seed) => Check(mt_manual_seed(unchecked((ulong)seed)));

    /// <summary>The default generator's state (a uint8 tensor), to save with a checkpoint.</summary>
    public static Tensor get_rng_state() => Tensor.From(mt_get_rng_state());

    /// <summary>Restores a state from <see cref="get_rng_state"/>: the draws that followed it come again.</summary>
    public static void set_rng_state(Tensor new_state) => Check(mt_set_rng_state(new_state.Handle));

    public static void set_num_threads(int threads) => Check(mt_set_num_threads(threads));

    public static int get_num_threads() => mt_get_num_threads();

    /// <summary>Native tensors handed out and not yet disposed, process-wide: a leak shows as growth.</summary>
    public static long LiveTensorCount => mt_live_tensors();

    public static bool is_grad_enabled() => mt_grad_enabled() != 0;

    /// <summary>Turns gradient recording off on this thread until the returned object is disposed.</summary>
    public static IDisposable no_grad() => new GradModeGuard(false);

    public static IDisposable enable_grad() => new GradModeGuard(true);

    private sealed class GradModeGuard : IDisposable
    {
        private readonly bool previous;
        private bool disposed;

        public GradModeGuard(bool enabled)
        {
            previous = is_grad_enabled();
            mt_set_grad_enabled(enabled ? 1 : 0);
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            mt_set_grad_enabled(previous ? 1 : 0);
        }
    }
}
