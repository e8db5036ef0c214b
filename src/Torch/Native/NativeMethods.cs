using System;
using System.Runtime.InteropServices;

namespace Mnist.Torch;

// One declaration per shim export (native/shim.cpp). A returned TensorHandle is invalid when the call
// failed; Tensor.From turns that into a TorchException with libtorch's message.
internal static unsafe class NativeMethods
{
    private const string Lib = NativeLibraryLoader.ShimName;

    [DllImport(Lib)] private static extern IntPtr mt_last_error();
    internal static string LastError() => Marshal.PtrToStringUTF8(mt_last_error()) ?? "unknown libtorch error";

    [DllImport(Lib)] internal static extern void mt_tensor_free(IntPtr tensor);
    [DllImport(Lib)] internal static extern long mt_live_tensors();
    [DllImport(Lib)] internal static extern int mt_manual_seed(ulong seed);
    [DllImport(Lib)] internal static extern TensorHandle mt_get_rng_state();
    [DllImport(Lib)] internal static extern int mt_set_rng_state(TensorHandle state);
    [DllImport(Lib)] internal static extern int mt_set_num_threads(int n);
    [DllImport(Lib)] internal static extern int mt_get_num_threads();
    [DllImport(Lib)] internal static extern int mt_grad_enabled();
    [DllImport(Lib)] internal static extern void mt_set_grad_enabled(int enabled);

    [DllImport(Lib)] internal static extern TensorHandle mt_from_data(void* data, int dtype, long* shape, long ndim);
    [DllImport(Lib)] internal static extern TensorHandle mt_zeros(long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_ones(long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_empty(long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_full(long* shape, long ndim, double value, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_rand(long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_randn(long* shape, long ndim, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_randint(long low, long high, long* shape, long ndim);
    [DllImport(Lib)] internal static extern TensorHandle mt_randperm(long n);
    [DllImport(Lib)] internal static extern TensorHandle mt_arange(double start, double end, double step, int dtype);

    [DllImport(Lib)] internal static extern long mt_ndim(TensorHandle t);
    [DllImport(Lib)] internal static extern void mt_shape(TensorHandle t, long* shape);
    [DllImport(Lib)] internal static extern int mt_dtype(TensorHandle t);
    [DllImport(Lib)] internal static extern long mt_numel(TensorHandle t);
    [DllImport(Lib)] internal static extern int mt_copy_to(TensorHandle t, void* destination, long bytes);
    [DllImport(Lib)] internal static extern int mt_copy_from(TensorHandle t, void* source, long bytes);
    [DllImport(Lib)] internal static extern int mt_item_double(TensorHandle t, out double value);
    [DllImport(Lib)] internal static extern int mt_item_long(TensorHandle t, out long value);

    [DllImport(Lib)] internal static extern TensorHandle mt_reshape(TensorHandle t, long* shape, long ndim);
    [DllImport(Lib)] internal static extern TensorHandle mt_view(TensorHandle t, long* shape, long ndim);
    [DllImport(Lib)] internal static extern TensorHandle mt_flatten(TensorHandle t, long start, long end);
    [DllImport(Lib)] internal static extern TensorHandle mt_narrow(TensorHandle t, long dim, long start, long length);
    [DllImport(Lib)] internal static extern TensorHandle mt_index_select(TensorHandle t, long dim, TensorHandle index);
    [DllImport(Lib)] internal static extern TensorHandle mt_contiguous(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle mt_clone(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle mt_detach(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle mt_to_dtype(TensorHandle t, int dtype);
    [DllImport(Lib)] internal static extern TensorHandle mt_alias(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle mt_alias_raw(IntPtr t);
    [DllImport(Lib, EntryPoint = "mt_alias")] internal static extern IntPtr mt_alias_to_raw(TensorHandle t);

    [DllImport(Lib)] internal static extern TensorHandle mt_add(TensorHandle a, TensorHandle b, double alpha);
    [DllImport(Lib)] internal static extern TensorHandle mt_sub(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle mt_mul(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle mt_div(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle mt_add_scalar(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern TensorHandle mt_mul_scalar(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern TensorHandle mt_div_scalar(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern TensorHandle mt_rsub_scalar(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern TensorHandle mt_neg(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_exp(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_log(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_sqrt(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_abs(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_pow_scalar(TensorHandle a, double exponent);
    [DllImport(Lib)] internal static extern TensorHandle mt_sigmoid(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_matmul(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern TensorHandle mt_cos(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_sin(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_stack(IntPtr* tensors, long count, long dim);
    [DllImport(Lib)] internal static extern TensorHandle mt_cat(IntPtr* tensors, long count, long dim);
    [DllImport(Lib)] internal static extern int mt_add_(TensorHandle a, TensorHandle b, double alpha);
    [DllImport(Lib)] internal static extern int mt_mul_scalar_(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern int mt_add_scalar_(TensorHandle a, double b);
    [DllImport(Lib)] internal static extern int mt_copy_(TensorHandle a, TensorHandle b);
    [DllImport(Lib)] internal static extern int mt_zero_(TensorHandle a);
    [DllImport(Lib)] internal static extern int mt_fill_(TensorHandle a, double value);
    [DllImport(Lib)] internal static extern int mt_uniform_(TensorHandle a, double low, double high);
    [DllImport(Lib)] internal static extern int mt_normal_(TensorHandle a, double mean, double std);

    [DllImport(Lib)] internal static extern TensorHandle mt_sum(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_sum_dim(TensorHandle a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle mt_mean(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_mean_dim(TensorHandle a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle mt_max(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_min(TensorHandle a);
    [DllImport(Lib)] internal static extern TensorHandle mt_argmax(TensorHandle a, long dim, int keepdim);
    [DllImport(Lib)] internal static extern TensorHandle mt_eq(TensorHandle a, TensorHandle b);

    [DllImport(Lib)] internal static extern int mt_requires_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern int mt_set_requires_grad(TensorHandle t, int value);
    [DllImport(Lib)] internal static extern int mt_backward(TensorHandle t);
    [DllImport(Lib)] internal static extern TensorHandle mt_grad(TensorHandle t);
    [DllImport(Lib)] internal static extern int mt_set_grad(TensorHandle t, IntPtr grad);

    [DllImport(Lib)] internal static extern TensorHandle mt_conv2d(TensorHandle input, TensorHandle weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [DllImport(Lib)] internal static extern TensorHandle mt_linear(TensorHandle input, TensorHandle weight, IntPtr bias);
    [DllImport(Lib)] internal static extern TensorHandle mt_batch_norm(TensorHandle input, IntPtr runningMean, IntPtr runningVar, IntPtr weight, IntPtr bias, int training, double momentum, double eps);
    [DllImport(Lib)] internal static extern TensorHandle mt_dropout(TensorHandle input, double p, int training);
    [DllImport(Lib)] internal static extern TensorHandle mt_feature_dropout(TensorHandle input, double p, int training);
    [DllImport(Lib)] internal static extern TensorHandle mt_max_pool2d(TensorHandle input, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [DllImport(Lib)] internal static extern TensorHandle mt_avg_pool2d(TensorHandle input, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);
    [DllImport(Lib)] internal static extern TensorHandle mt_adaptive_avg_pool2d(TensorHandle input, long* outputSize);
    [DllImport(Lib)] internal static extern TensorHandle mt_relu(TensorHandle input);
    [DllImport(Lib)] internal static extern int mt_relu_(TensorHandle input);
    [DllImport(Lib)] internal static extern TensorHandle mt_log_softmax(TensorHandle input, long dim);
    [DllImport(Lib)] internal static extern TensorHandle mt_softmax(TensorHandle input, long dim);
    [DllImport(Lib)] internal static extern TensorHandle mt_nll_loss(TensorHandle input, TensorHandle target, IntPtr weight, long reduction, long ignoreIndex);
    [DllImport(Lib)] internal static extern TensorHandle mt_cross_entropy(TensorHandle input, TensorHandle target, IntPtr weight, long reduction, long ignoreIndex, double labelSmoothing);
    [DllImport(Lib)] internal static extern TensorHandle mt_mse_loss(TensorHandle input, TensorHandle target, long reduction);
    [DllImport(Lib)] internal static extern TensorHandle mt_affine_grid(TensorHandle theta, long* size, long ndim, int alignCorners);
    [DllImport(Lib)] internal static extern TensorHandle mt_grid_sample(TensorHandle input, TensorHandle grid, long mode, long paddingMode, int alignCorners);

    [DllImport(Lib)] internal static extern int mt_sgd_step(IntPtr* parameters, long count, IntPtr* momentumBuffers, double lr, double momentum, double dampening, double weightDecay, int nesterov, int maximize);
    [DllImport(Lib)] internal static extern int mt_adam_step(IntPtr* parameters, long count, IntPtr* expAvgs, IntPtr* expAvgSqs, IntPtr* maxExpAvgSqs, double* steps, double lr, double beta1, double beta2, double eps, double weightDecay, int amsgrad, int maximize, int decoupled);

    /// <summary>Throws libtorch's message when a status-returning call failed.</summary>
    internal static void Check(int status)
    {
        if (status != 0) throw TorchException.Last();
    }
}
