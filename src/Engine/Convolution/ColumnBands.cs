using System.Runtime.CompilerServices;

namespace Mnist.Dsl.Engine.Convolution;

/// <summary>
/// The columns each row of a wide plane needs, as one range per row: <see cref="First"/>[r] to <see cref="End"/>[r],
/// both non-decreasing in r, so a block of positions spanning rows r0..r1 needs First[r0] to End[r1]. Row r holds
/// positions r * <see cref="RowStride"/> - <see cref="Origin"/> onwards (the kernel's position 0 is the plane's
/// <see cref="Origin"/>). The default value (null tables) means every column everywhere.
/// </summary>
internal readonly unsafe struct ColumnBands(int* first, int* end, int origin, int rowStride)
{
    public int* First { get; } = first;

    public int* End { get; } = end;

    public int Origin { get; } = origin;

    public int RowStride { get; } = rowStride;

    /// <summary>The same bands for a kernel whose position 0 is this one's <paramref name="p"/>.</summary>
    public ColumnBands From(int p) => First == null ? this : new ColumnBands(First, End, Origin + p, RowStride);

    /// <summary>The first column and the column count a block of <paramref name="count"/> positions from <paramref name="p"/> reads.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Range(int p, int count, int depth, out int first, out int columns)
    {
        if (First == null)
        {
            (first, columns) = (0, depth);
            return;
        }
        first = First[(Origin + p) / RowStride];
        columns = Math.Max(End[(Origin + p + count - 1) / RowStride] - first, 0);
    }
}
