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

    /// <summary>The hash of element <paramref name="index"/>: <see cref="Hash{TV, TOps}"/> on one lane.</summary>
    public static uint Hash(uint key, uint index) =>
        (uint)BitConverter.SingleToInt32Bits(Hash<float, VecScalar>(key, VecScalar.Indices(index)));

    /// <summary>The hash (murmur3's finaliser of index · golden ratio + key) of each lane's 32-bit index.</summary>
    public static TV Hash<TV, TOps>(uint key, TV index) where TV : struct where TOps : struct, IVectorOps<TV>
    {
        var h = TOps.MultiplyAddBits(index, 0x9E3779B1u, key);
        h = TOps.MultiplyAddBits(TOps.XorShiftRightBits(h, 16), 0x85EBCA6Bu, 0);
        h = TOps.MultiplyAddBits(TOps.XorShiftRightBits(h, 13), 0xC2B2AE35u, 0);
        return TOps.XorShiftRightBits(h, 16);
    }

    /// <summary>Mask: the elements first to first + TOps.Count - 1 that the mask keeps.</summary>
    public static TV Kept<TV, TOps>(uint key, uint first, uint threshold) where TV : struct where TOps : struct, IVectorOps<TV> =>
        TOps.AtLeastBits(Hash<TV, TOps>(key, TOps.Indices(first)), threshold);

    /// <summary>data[i] *= keep(firstIndex + i) / (1 - p) for i in [0, count): Dropout's forward and its backward.</summary>
    public static void Apply(float* data, int count, uint firstIndex, uint key, double p)
    {
        if (p == 0) return;
        VectorPaths.Run(new Masked(data, data, count, 1, 0, false, firstIndex, key, p));
    }

    /// <summary>
    /// BatchNorm's normalisation and Dropout in one pass over one channel: y[i] = (x[i] scale + shift) keep / (1 - p),
    /// element i of the mask at <paramref name="firstIndex"/> + i (the same mask <see cref="Apply"/> makes).
    /// </summary>
    public static void AffineThenApply(float* x, float* y, int count, float scale, float shift, uint firstIndex, uint key, double p) =>
        VectorPaths.Run(new Masked(x, y, count, scale, shift, true, firstIndex, key, p));

    /// <summary>
    /// y = (x scale + shift, or x without <paramref name="affine"/>) keep / (1 - p). Without the affine map, x is not
    /// touched (x · 1 + 0 would turn -0 into +0). Folding 1 / (1 - p) into the affine map rounds differently from
    /// PyTorch's two multiplications; keep two.
    /// </summary>
    private readonly struct Masked(float* x, float* y, int count, float scale, float shift, bool affine, uint firstIndex, uint key, double p)
        : IWidthKernel
    {
        private readonly uint _threshold = Threshold(p);
        private readonly float _keepScale = (float)(1.0 / (1.0 - p));

        // Whole vectors, then the rest one lane at a time, the constants in locals (an IElementwiseKernel's fields are
        // reloaded and broadcast again for every vector).
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int i = 0;
            var lanes = new Lanes<TV, TOps>(scale, shift, _keepScale, key, _threshold);
            if (affine)
                for (; i + TOps.Count <= count; i += TOps.Count)
                    TOps.Store(y + i, lanes.Dropped(lanes.Affine(TOps.Load(x + i)), firstIndex + (uint)i));
            else
                for (; i + TOps.Count <= count; i += TOps.Count) TOps.Store(y + i, lanes.Dropped(TOps.Load(x + i), firstIndex + (uint)i));
            var one = new Lanes<float, VecScalar>(scale, shift, _keepScale, key, _threshold);
            for (; i < count; i++) y[i] = one.Dropped(affine ? one.Affine(x[i]) : x[i], firstIndex + (uint)i);
        }
    }

    /// <summary>The constants of <see cref="Masked"/> broadcast once.</summary>
    private readonly struct Lanes<TV, TOps>(float scale, float shift, float keepScale, uint key, uint threshold)
        where TV : struct where TOps : struct, IVectorOps<TV>
    {
        private readonly TV _scale = TOps.Broadcast(scale), _shift = TOps.Broadcast(shift), _keepScale = TOps.Broadcast(keepScale);

        public TV Affine(TV value) => TOps.Add(TOps.Multiply(value, _scale), _shift);

        /// <summary>value keep / (1 - p) where the mask keeps element first + lane, else 0.</summary>
        public TV Dropped(TV value, uint first) =>
            TOps.Select(Kept<TV, TOps>(key, first, threshold), TOps.Multiply(value, _keepScale), TOps.Zero);
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
