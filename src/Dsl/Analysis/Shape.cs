namespace Mnist.Dsl.Analysis;

/// <summary>The shape of one sample between layers: a [C, H, W] map, or a flat [features] vector.</summary>
public readonly record struct Shape(int Channels, int Height, int Width, bool IsFlat)
{
    public static Shape Map(int channels, int height, int width) => new(channels, height, width, false);

    public static Shape Flat(int features) => new(features, 1, 1, true);

    /// <summary>Elements per sample.</summary>
    public long Elements => (long)Channels * Height * Width;

    /// <summary>A [C, 1, 1] map, which the generated code flattens implicitly where a vector is needed.</summary>
    public bool IsPointMap => !IsFlat && Height == 1 && Width == 1;

    /// <summary>torchsummary's form, batch first: [-1, 32, 26, 26] or [-1, 10].</summary>
    public override string ToString() => IsFlat
        ? string.Format(CultureInfo.InvariantCulture, "[-1, {0}]", Channels)
        : string.Format(CultureInfo.InvariantCulture, "[-1, {0}, {1}, {2}]", Channels, Height, Width);
}
