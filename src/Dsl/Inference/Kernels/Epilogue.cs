#if NET8_0_OR_GREATER
using System;

namespace Mnist.Dsl.Inference;

/// <summary>
/// What a kernel applies to each value before it stores it, in this order: ReLU when <see cref="ReluFirst"/>,
/// then value·scale + shift per channel (an eval-mode BatchNorm after a ReLU, or several composed) when
/// <see cref="Scale"/> is set, then ReLU when <see cref="ReluLast"/>. Longer chains are applied afterwards
/// by <see cref="InferenceKernels.ApplyEpilogue"/>, with the same results. Scale and shift are padded to whole
/// 8-wide vectors (<see cref="ChannelAffine.ScaleVector"/>).
/// </summary>
public readonly struct Epilogue
{
    public Epilogue(bool reluFirst, float[]? scale, float[]? shift, bool reluLast)
    {
        if ((scale is null) != (shift is null))
            throw new ArgumentException("An epilogue's scale and shift come together: give both or neither.", nameof(shift));
        if (scale is not null && scale.Length != shift!.Length)
            throw new ArgumentException($"{scale.Length} scales but {shift.Length} shifts.", nameof(shift));
        ReluFirst = reluFirst;
        Scale = scale;
        Shift = shift;
        ReluLast = reluLast;
    }

    /// <summary>Nothing to apply.</summary>
    public static Epilogue None => default;

    /// <summary>ReLU alone.</summary>
    public static Epilogue Relu => new(true, null, null, false);

    public bool ReluFirst { get; }

    public float[]? Scale { get; }

    public float[]? Shift { get; }

    public bool ReluLast { get; }

    /// <summary>Throws unless scale and shift cover <paramref name="channels"/> channels in whole vectors.</summary>
    internal void Check(int channels, string kernel)
    {
        if (Scale is not null && Scale.Length < (channels + 7) / 8 * 8)
            throw new ArgumentException(
                $"{kernel}: the epilogue's scale and shift have {Scale.Length} floats; {channels} channels need {(channels + 7) / 8 * 8} (padded " +
                $"to whole 8-wide vectors).", "epilogue");
    }
}
#endif
