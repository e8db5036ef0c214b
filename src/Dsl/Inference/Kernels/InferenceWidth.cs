#if NET8_0_OR_GREATER
using System;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Inference;

/// <summary>
/// The widest vectors the inference kernels use: 256 bits where the processor accelerates Vector256, else 128, or
/// scalar. Not 512 by default: on the AMD EPYC Zen 4 the 512-bit path was slower (docs/inference.md#vector-width,
/// bench/inference-before-after.sh with WIDTHS); a 16-channel layer is one 512-bit vector per pixel, too few
/// independent multiply-adds for 4-pixel tiles. <c>MNIST_INFERENCE_SIMD=512|256|128|1</c> chooses the width (512 only
/// where Vector512 is accelerated), to measure it again on another processor; never wider than the processor accelerates.
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
        if (string.IsNullOrEmpty(asked)) return Math.Min(best, 256);
        return asked switch
        {
            "512" or "256" or "128" or "1" => Math.Min(int.Parse(asked, System.Globalization.CultureInfo.InvariantCulture), best),
            _ => throw new ArgumentException($"MNIST_INFERENCE_SIMD={asked}: expected 512, 256, 128 or 1 (or unset for the widest)"),
        };
    }
}
#endif
