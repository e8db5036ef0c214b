using Mnist.Torch.Modules;

namespace Mnist.Torch;

public static partial class torch
{
    /// <summary>Layer factories, with TorchSharp's names, parameter order and defaults.</summary>
    public static partial class nn
    {
        /// <summary>Only zero padding is supported; the parameter keeps TorchSharp's positional order.</summary>
        public enum PaddingModes { Zeros = 0 }

        public static Conv2d Conv2d(long in_channels, long out_channels, long kernelSize, long stride = 1, long padding = 0, long dilation = 1, PaddingModes padding_mode = PaddingModes.Zeros, long groups = 1, bool bias = true)
            => new(in_channels, out_channels, kernelSize, stride, padding, dilation, groups, bias);

        public static Linear Linear(long inputSize, long outputSize, bool hasBias = true) => new(inputSize, outputSize, hasBias);

        public static BatchNorm1d BatchNorm1d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true)
            => new(num_features, eps, momentum, affine, track_running_stats);

        public static BatchNorm2d BatchNorm2d(long num_features, double eps = 1e-05, double momentum = 0.1, bool affine = true, bool track_running_stats = true)
            => new(num_features, eps, momentum, affine, track_running_stats);

        public static Dropout Dropout(double p = 0.5) => new(p);

        public static Dropout2d Dropout2d(double p = 0.5) => new(p);

        public static MaxPool2d MaxPool2d(long kernelSize, long? stride = null, long? padding = null, long? dilation = null, bool ceil_mode = false)
            => new(kernelSize, stride, padding, dilation, ceil_mode);

        public static AvgPool2d AvgPool2d(long kernel_size, long? stride = null, long? padding = null, bool ceil_mode = false, bool count_include_pad = true)
            => new(kernel_size, stride, padding, ceil_mode, count_include_pad);

        public static AdaptiveAvgPool2d AdaptiveAvgPool2d(long outputSize) => new(outputSize);

        public static ReLU ReLU(bool inplace = false) => new(inplace);

        public static Flatten Flatten(long startDim = 1, long endDim = -1) => new(startDim, endDim);

        public static LogSoftmax LogSoftmax(long dim) => new(dim);

        public static Sequential Sequential(params Module<Tensor, Tensor>[] modules) => new(Modules.Sequential.Numbered(modules));

        public static Sequential Sequential(params (string name, Module<Tensor, Tensor> module)[] modules) => new(modules);
    }
}
