namespace Mnist.Dsl.Engine.Simd;

/// <summary>
/// Copies one short row of floats (2 to 30 in the sample networks) with inline vector moves. Span.CopyTo calls
/// memmove per row; the padded 4x4 layers copy 96 rows of 4 floats per image each way, where that call costs more
/// than the copy. Bit-for-bit: loads and stores only.
/// </summary>
internal static unsafe class RowCopy
{
    public static void Copy(float* source, float* destination, int count) => VectorPaths.Run(new Kernel(source, destination, count));

    private readonly struct Kernel(float* source, float* destination, int count) : IWidthKernel
    {
        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV>
        {
            int i = Moves<TV, TOps>(0);
            // A row's rest in narrower moves, then one by one (nothing left to do at the scalar width).
            if (TOps.Count > 8) i = Moves<System.Runtime.Intrinsics.Vector256<float>, Vec256>(i);
            if (TOps.Count > 4) i = Moves<System.Runtime.Intrinsics.Vector128<float>, Vec128>(i);
            Moves<float, VecScalar>(i);
        }

        private int Moves<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV>
        {
            for (; i + TOps.Count <= count; i += TOps.Count) TOps.Store(destination + i, TOps.Load(source + i));
            return i;
        }
    }
}
