namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// A register block's size as a type: a kernel generic over it compiles once per size with the size as a constant, so
/// one body serves every size without the unused accumulators' code (an int argument did not: the JIT would not inline
/// a body with two dozen accumulators, and kept the branches).
/// </summary>
internal interface IBlockSize
{
    static abstract int Count { get; }
}

internal readonly struct Size2 : IBlockSize
{
    public static int Count => 2;
}

internal readonly struct Size3 : IBlockSize
{
    public static int Count => 3;
}

internal readonly struct Size4 : IBlockSize
{
    public static int Count => 4;
}

internal readonly struct Size8 : IBlockSize
{
    public static int Count => 8;
}
