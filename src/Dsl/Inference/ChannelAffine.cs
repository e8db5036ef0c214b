namespace Mnist.Dsl.Inference;

/// <summary>
/// y = x·Scale + Shift per channel, in double. An eval-mode BatchNorm is one (scale = γ/√(var+ε),
/// shift = β − mean·scale), and two in a row compose into one; folding them into the convolution before them
/// or the pass after a ReLU is what lets the generated inference code skip BatchNorm as a layer.
/// </summary>
public sealed class ChannelAffine
{
    public ChannelAffine(double[] scale, double[] shift)
    {
        if (scale is null) throw new ArgumentNullException(nameof(scale));
        if (shift is null) throw new ArgumentNullException(nameof(shift));
        if (scale.Length != shift.Length) throw new ArgumentException($"{scale.Length} scales but {shift.Length} shifts.", nameof(shift));
        Scale = scale;
        Shift = shift;
    }

    public double[] Scale { get; }

    public double[] Shift { get; }

    public int Channels => Scale.Length;

    /// <summary>The identity on <paramref name="channels"/> channels.</summary>
    public static ChannelAffine Identity(int channels)
    {
        var scale = new double[channels];
        for (var c = 0; c < channels; c++) scale[c] = 1;
        return new ChannelAffine(scale, new double[channels]);
    }

    /// <summary>
    /// An eval-mode BatchNorm read from the weights: <paramref name="name"/>.weight, .bias, .running_mean and
    /// .running_var, each of shape [<paramref name="channels"/>].
    /// </summary>
    public static ChannelAffine BatchNorm(SafeTensorsWeights weights, string network, string name, int channels, double eps)
    {
        if (weights is null) throw new ArgumentNullException(nameof(weights));
        var gamma = weights.ReadFloat32(network, name + ".weight", channels);
        var beta = weights.ReadFloat32(network, name + ".bias", channels);
        var mean = weights.ReadFloat32(network, name + ".running_mean", channels);
        var variance = weights.ReadFloat32(network, name + ".running_var", channels);
        var scale = new double[channels];
        var shift = new double[channels];
        for (var c = 0; c < channels; c++)
        {
            scale[c] = gamma[c] / Math.Sqrt((double)variance[c] + eps);
            shift[c] = beta[c] - mean[c] * scale[c];
        }
        return new ChannelAffine(scale, shift);
    }

    /// <summary>This one, then <paramref name="next"/>: x·s1·s2 + (t1·s2 + t2).</summary>
    public ChannelAffine Then(ChannelAffine next)
    {
        if (next is null) throw new ArgumentNullException(nameof(next));
        if (next.Channels != Channels)
            throw new ArgumentException($"Cannot compose an affine map on {Channels} channels with one on {next.Channels}.", nameof(next));
        var scale = new double[Channels];
        var shift = new double[Channels];
        for (var c = 0; c < Channels; c++)
        {
            scale[c] = Scale[c] * next.Scale[c];
            shift[c] = Shift[c] * next.Scale[c] + next.Shift[c];
        }
        return new ChannelAffine(scale, shift);
    }

    /// <summary>The scales as float32, zero-padded to <paramref name="length"/> (a whole number of vectors).</summary>
    public float[] ScaleVector(int length) => Padded(Scale, length);

    /// <summary>The shifts as float32, zero-padded to <paramref name="length"/>.</summary>
    public float[] ShiftVector(int length) => Padded(Shift, length);

    private static float[] Padded(double[] values, int length)
    {
        if (length < values.Length) throw new ArgumentOutOfRangeException(nameof(length), $"{length} is shorter than the {values.Length} channels.");
        var result = new float[length];
        for (var i = 0; i < values.Length; i++) result[i] = (float)values[i];
        return result;
    }
}
