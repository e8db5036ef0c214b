#if NET8_0_OR_GREATER
using System;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The widest vectors the inference kernels use: 512 bits where the processor accelerates Vector512 (AVX-512), else
/// 256, 128, or scalar. Measured side by side on an AMD EPYC Zen 4 (bench/inference-before-after.sh with WIDTHS, see
/// docs/inference.md). <c>MNIST_INFERENCE_SIMD=512|256|128|1</c> narrows it, to compare widths on one machine; never
/// wider than the processor accelerates.
/// </summary>
internal static class InferenceWidth
{
    public static readonly int Bits = Choose();

    private static int Choose()
    {
        var best = Vector512.IsHardwareAccelerated ? 512
            : Vector256.IsHardwareAccelerated ? 256
            : Vector128.IsHardwareAccelerated ? 128
            : 1;
        var asked = Environment.GetEnvironmentVariable("MNIST_INFERENCE_SIMD");
        if (string.IsNullOrEmpty(asked)) return best;
        return asked switch
        {
            "512" or "256" or "128" or "1" => Math.Min(int.Parse(asked, System.Globalization.CultureInfo.InvariantCulture), best),
            _ => throw new ArgumentException($"MNIST_INFERENCE_SIMD={asked}: expected 512, 256, 128 or 1 (or unset for the widest)"),
        };
    }
}
#endif
