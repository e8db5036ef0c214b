using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// Copies one short row of floats (2 to 30 in the sample networks) with inline vector moves. Span.CopyTo calls
/// memmove per row; the padded 4x4 layers copy 96 rows of 4 floats per image each way, where that call costs more
/// than the copy. Bit-for-bit: loads and stores only.
/// </summary>
internal static unsafe class RowCopy
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Copy(float* source, float* destination, int count)
    {
        int i = 0;
        bool vector = VectorPaths.On;
        for (; vector && i + 8 <= count; i += 8) Vector256.Store(Vector256.Load(source + i), destination + i);
        if (vector && i + 4 <= count)
        {
            Vector128.Store(Vector128.Load(source + i), destination + i);
            i += 4;
        }
        for (; i < count; i++) destination[i] = source[i];
    }
}
