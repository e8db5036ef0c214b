namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// A convolution's shape as compile-time constants: a generated trainer declares one struct per layer
/// (<c>struct Conv1 : IConv2dShape { public static int InChannels => 1; ... }</c>) and never passes a shape at run time.
/// </summary>
public interface IConv2dShape
{
    static abstract int InChannels { get; }

    static abstract int OutChannels { get; }

    /// <summary>Input height (before padding).</summary>
    static abstract int Height { get; }

    /// <summary>Input width (before padding).</summary>
    static abstract int Width { get; }

    static abstract int Kernel { get; }

    static abstract int Stride { get; }

    static abstract int Padding { get; }

    static abstract bool Bias { get; }
}
