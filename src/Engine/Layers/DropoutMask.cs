using System.Numerics;

namespace Mnist.Dsl.Engine.Layers;

/// <summary>
/// Dropout masks from a counter-based hash instead of a stateful generator: element i of a step's mask is
/// hash(key, i) with i the element's index in the whole batch, so the mask depends on (seed, step, layer) and not on
/// how the batch is split over threads, needs no storage (backward recomputes it) and vectorises. Forward and
/// backward are the same operation: multiply by keep / (1 - p).
/// </summary>
internal static unsafe class DropoutMask
{
    /// <summary>The key of one layer's mask at one step.</summary>
    public static uint Key(ulong seed, long step, int layer)
    {
        ulong z = seed + 0x9E3779B97F4A7C15UL * (ulong)(step + 1) + 0xD1B54A32D192ED03UL * (ulong)(layer + 1);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (uint)(z ^ (z >> 31));
    }

    /// <summary>Elements whose hash is below this are dropped: p of 2^32.</summary>
    public static uint Threshold(double p)
    {
        if (p < 0 || p >= 1) throw new ArgumentOutOfRangeException(nameof(p), p, "dropout probability must be in [0, 1)");
        return (uint)Math.Min(Math.Round(p * 4294967296.0), uint.MaxValue);
    }

    public static uint Hash(uint key, uint index)
    {
        uint h = index * 0x9E3779B1u + key;
        h ^= h >> 16; h *= 0x85EBCA6Bu;
        h ^= h >> 13; h *= 0xC2B2AE35u;
        return h ^ (h >> 16);
    }

    /// <summary><see cref="Hash(uint, uint)"/> for a vector of indices.</summary>
    public static Vector<uint> Hash(Vector<uint> key, Vector<uint> index)
    {
        var h = index * new Vector<uint>(0x9E3779B1u) + key;
        h ^= Vector.ShiftRightLogical(h, 16); h *= new Vector<uint>(0x85EBCA6Bu);
        h ^= Vector.ShiftRightLogical(h, 13); h *= new Vector<uint>(0xC2B2AE35u);
        return h ^ Vector.ShiftRightLogical(h, 16);
    }

    /// <summary>data[i] *= keep(firstIndex + i) / (1 - p) for i in [0, count): Dropout's forward and its backward.</summary>
    public static void Apply(float* data, int count, uint firstIndex, uint key, double p)
    {
        if (p == 0) return;
        uint threshold = Threshold(p);
        float scale = (float)(1.0 / (1.0 - p));
        int v = Vector<uint>.Count;
        bool vector = VectorPaths.On;
        var keys = new Vector<uint>(key);
        var thresholds = new Vector<uint>(threshold);
        var scales = new Vector<float>(scale);
        var lanes = Vector<uint>.Indices;
        int i = 0;
        for (; vector && i + v <= count; i += v)
        {
            var keep = Vector.GreaterThanOrEqual(Hash(keys, lanes + new Vector<uint>(firstIndex + (uint)i)), thresholds);
            var x = Vector.Load(data + i) * scales;
            Vector.ConditionalSelect(Vector.AsVectorInt32(keep), x, Vector<float>.Zero).Store(data + i);
        }
        for (; i < count; i++) data[i] = Hash(key, firstIndex + (uint)i) >= threshold ? data[i] * scale : 0f;
    }

    /// <summary>
    /// BatchNorm's normalisation and Dropout in one pass over one channel: y[i] = (x[i] scale + shift) keep / (1 - p),
    /// element i of the mask at <paramref name="firstIndex"/> + i (the same mask <see cref="Apply"/> makes).
    /// </summary>
    public static void AffineThenApply(float* x, float* y, int count, float scale, float shift, uint firstIndex, uint key, double p)
    {
        uint threshold = Threshold(p);
        float keepScale = (float)(1.0 / (1.0 - p));
        // Folding 1 / (1 - p) into the affine map rounds differently from PyTorch's two multiplications; keep two.
        int v = Vector<uint>.Count;
        bool vector = VectorPaths.On;
        var keys = new Vector<uint>(key);
        var thresholds = new Vector<uint>(threshold);
        var scales = new Vector<float>(scale);
        var shifts = new Vector<float>(shift);
        var keepScales = new Vector<float>(keepScale);
        var lanes = Vector<uint>.Indices;
        int i = 0;
        for (; vector && i + v <= count; i += v)
        {
            var keep = Vector.GreaterThanOrEqual(Hash(keys, lanes + new Vector<uint>(firstIndex + (uint)i)), thresholds);
            var value = (Vector.Load(x + i) * scales + shifts) * keepScales;
            Vector.ConditionalSelect(Vector.AsVectorInt32(keep), value, Vector<float>.Zero).Store(y + i);
        }
        for (; i < count; i++)
            y[i] = Hash(key, firstIndex + (uint)i) >= threshold ? (x[i] * scale + shift) * keepScale : 0f;
    }

    /// <summary>Dropout2d: whole channels kept or zeroed; channel index = image * channels + c.</summary>
    public static void ApplyChannels(float* data, int channels, int plane, uint firstChannel, uint key, double p)
    {
        if (p == 0) return;
        uint threshold = Threshold(p);
        float scale = (float)(1.0 / (1.0 - p));
        for (int c = 0; c < channels; c++)
        {
            float m = Hash(key, firstChannel + (uint)c) >= threshold ? scale : 0f;
            float* x = data + c * plane;
            for (int i = 0; i < plane; i++) x[i] *= m;
        }
    }
}
