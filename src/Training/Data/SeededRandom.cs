namespace Mnist.Dsl.Training.Data;

/// <summary>
/// SplitMix64: a small generator whose whole state is one number, for the plain-C# data path (shuffling and
/// rotation angles). Each epoch starts a stream of its own from (seed, epoch), so a resumed run needs no saved
/// generator state to draw what an uninterrupted run draws.
/// </summary>
public sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A stream for one use (<paramref name="stream"/>) of one epoch of a run's seed, well apart from the others.</summary>
    public static SeededRandom For(long seed, int epoch, ulong stream) =>
        new(Mix(Mix((ulong)seed) ^ ((ulong)(uint)epoch << 8) ^ stream));

    public ulong Next()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        return Mix(z);
    }

    /// <summary>Uniform on [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform on [0, <paramref name="bound"/>) without modulo bias (Lemire's multiply-and-reject).</summary>
    public int NextInt(int bound)
    {
        ulong range = (ulong)bound;
        while (true)
        {
            ulong x = Next() >> 32;
            ulong product = x * range;
            if ((uint)product >= (uint)((1UL << 32) % range)) return (int)(product >> 32);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
