using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>The vector width the kernels run at on this processor.</summary>
public enum SimdWidth
{
    Scalar = 1,
    Bits256 = 256,
    Bits512 = 512,
}

/// <summary>Chooses the widest accelerated width; <c>MNIST_ENGINE_SIMD=256|512|1</c> narrows it (to compare widths on one machine).</summary>
internal static class SimdWidths
{
    public static SimdWidth Best()
    {
        var best = Vector512.IsHardwareAccelerated ? SimdWidth.Bits512
            : Vector256.IsHardwareAccelerated ? SimdWidth.Bits256
            : SimdWidth.Scalar;
        var forced = Environment.GetEnvironmentVariable("MNIST_ENGINE_SIMD");
        if (string.IsNullOrEmpty(forced)) return best;
        var asked = forced switch
        {
            "512" => SimdWidth.Bits512,
            "256" => SimdWidth.Bits256,
            "1" => SimdWidth.Scalar,
            _ => throw new ArgumentException($"MNIST_ENGINE_SIMD={forced}: expected 512, 256 or 1"),
        };
        // Never wider than the hardware accelerates: a software Vector512 would be far slower than scalar code.
        return AtMost(asked, best);
    }

    /// <summary>A trainer's width: the one it asked for (or the best), never wider than <see cref="Best"/>, so
    /// <c>MNIST_ENGINE_SIMD=1</c> makes every trainer scalar, whatever its options say.</summary>
    public static SimdWidth For(SimdWidth? asked) => AtMost(asked ?? Best(), Best());

    /// <summary>The narrower of two widths.</summary>
    public static SimdWidth AtMost(SimdWidth width, SimdWidth limit) => (int)width <= (int)limit ? width : limit;
}
