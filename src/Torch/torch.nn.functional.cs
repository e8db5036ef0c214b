using static Mnist.Torch.NativeMethods;

namespace Mnist.Torch;

public static partial class torch
{
    public static partial class nn
    {
        /// <summary>How a loss reduces over the batch (numbered as at::Reduction).</summary>
        public enum Reduction : long
        {
            None = 0,
            Mean = 1,
            Sum = 2,
        }

        public enum InterpolationMode : long { Bilinear = 0, Nearest = 1 }

        public enum GridSamplePaddingMode : long { Zeros = 0, Border = 1, Reflection = 2 }

        /// <summary>Stateless layers: the same computations the modules in torch.nn perform.</summary>
        public static class functional
        {
            public static unsafe Tensor conv2d(Tensor input, Tensor weight, Tensor? bias = null, long[]? strides = null, long[]? padding = null, long[]? dilation = null, long groups = 1)
            {
                var s = Pair(strides, 1);
                var p = Pair(padding, 0);
                var d = Pair(dilation, 1);
                fixed (long* ps = s, pp = p, pd = d)
                {
                    var result = Tensor.From(mt_conv2d(input.Handle, weight.Handle, Tensor.PointerOf(bias), ps, pp, pd, groups));
                    System.GC.KeepAlive(bias);
                    return result;
                }
            }

            public static Tensor linear(Tensor input, Tensor weight, Tensor? bias = null)
            {
                var result = Tensor.From(mt_linear(input.Handle, weight.Handle, Tensor.PointerOf(bias)));
                System.GC.KeepAlive(bias);
                return result;
            }

            /// <summary>Batch normalisation; in training it updates running_mean/var in place, as PyTorch does.</summary>
            public static Tensor batch_norm(Tensor input, Tensor? running_mean, Tensor? running_var, Tensor? weight = null, Tensor? bias = null, bool training = false, double momentum = 0.1, double eps = 1e-5)
            {
                var result = Tensor.From(mt_batch_norm(input.Handle, Tensor.PointerOf(running_mean), Tensor.PointerOf(running_var),
                    Tensor.PointerOf(weight), Tensor.PointerOf(bias), training ? 1 : 0, momentum, eps));
                System.GC.KeepAlive(running_mean);
                System.GC.KeepAlive(running_var);
                System.GC.KeepAlive(weight);
                System.GC.KeepAlive(bias);
                return result;
            }

            public static Tensor dropout(Tensor input, double p = 0.5, bool training = true) => Tensor.From(mt_dropout(input.Handle, p, training ? 1 : 0));

            /// <summary>Zeroes whole channels, as torch.nn.functional.dropout2d.</summary>
            public static Tensor dropout2d(Tensor input, double p = 0.5, bool training = true) => Tensor.From(mt_feature_dropout(input.Handle, p, training ? 1 : 0));

            public static unsafe Tensor max_pool2d(Tensor input, long kernelSize, long? stride = null, long? padding = null, long dilation = 1, bool ceil_mode = false)
            {
                var k = new[] { kernelSize, kernelSize };
                var s = new[] { stride ?? kernelSize, stride ?? kernelSize };
                var p = new[] { padding ?? 0, padding ?? 0 };
                var d = new[] { dilation, dilation };
                fixed (long* pk = k, ps = s, pp = p, pd = d) return Tensor.From(mt_max_pool2d(input.Handle, pk, ps, pp, pd, ceil_mode ? 1 : 0));
            }

            public static unsafe Tensor avg_pool2d(Tensor input, long kernelSize, long? stride = null, long padding = 0, bool ceil_mode = false, bool count_include_pad = true)
            {
                var k = new[] { kernelSize, kernelSize };
                var s = new[] { stride ?? kernelSize, stride ?? kernelSize };
                var p = new[] { padding, padding };
                fixed (long* pk = k, ps = s, pp = p) return Tensor.From(mt_avg_pool2d(input.Handle, pk, ps, pp, ceil_mode ? 1 : 0, count_include_pad ? 1 : 0));
            }

            public static unsafe Tensor adaptive_avg_pool2d(Tensor input, long outputSize)
            {
                var o = new[] { outputSize, outputSize };
                fixed (long* po = o) return Tensor.From(mt_adaptive_avg_pool2d(input.Handle, po));
            }

            public static Tensor relu(Tensor input, bool inplace = false)
            {
                if (!inplace) return Tensor.From(mt_relu(input.Handle));
                Check(mt_relu_(input.Handle));
                return input;
            }

            public static Tensor flatten(Tensor input, long start_dim = 1, long end_dim = -1) => input.flatten(start_dim, end_dim);

            public static Tensor log_softmax(Tensor input, long dim) => Tensor.From(mt_log_softmax(input.Handle, dim));

            public static Tensor softmax(Tensor input, long dim) => Tensor.From(mt_softmax(input.Handle, dim));

            public static Tensor nll_loss(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean, long ignore_index = -100)
            {
                var result = Tensor.From(mt_nll_loss(input.Handle, target.Handle, Tensor.PointerOf(weight), (long)reduction, ignore_index));
                System.GC.KeepAlive(weight);
                return result;
            }

            public static Tensor cross_entropy(Tensor input, Tensor target, Tensor? weight = null, long ignore_index = -100, Reduction reduction = Reduction.Mean, double label_smoothing = 0.0)
            {
                var result = Tensor.From(mt_cross_entropy(input.Handle, target.Handle, Tensor.PointerOf(weight), (long)reduction, ignore_index, label_smoothing));
                System.GC.KeepAlive(weight);
                return result;
            }

            public static Tensor mse_loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean) => Tensor.From(mt_mse_loss(input.Handle, target.Handle, (long)reduction));

            /// <summary>The sampling grid for batch affine transforms theta [N, 2, 3] over an output of size [N, C, H, W].</summary>
            public static unsafe Tensor affine_grid(Tensor theta, long[] size, bool align_corners = false)
            {
                fixed (long* p = size) return Tensor.From(mt_affine_grid(theta.Handle, p, size.Length, align_corners ? 1 : 0));
            }

            public static Tensor grid_sample(Tensor input, Tensor grid, InterpolationMode mode = InterpolationMode.Bilinear, GridSamplePaddingMode padding_mode = GridSamplePaddingMode.Zeros, bool align_corners = false)
                => Tensor.From(mt_grid_sample(input.Handle, grid.Handle, (long)mode, (long)padding_mode, align_corners ? 1 : 0));

            private static long[] Pair(long[]? values, long fallback) => values switch
            {
                null => new[] { fallback, fallback },
                { Length: 1 } => new[] { values[0], values[0] },
                _ => values,
            };
        }
    }
}
