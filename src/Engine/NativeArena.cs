using System.Runtime.InteropServices;

namespace Mnist.Dsl.Engine;

/// <summary>
/// Owns every buffer of a workspace: allocated once (64-byte aligned, zeroed) when a trainer is built, freed
/// together on dispose, so a training step allocates nothing and the GC never moves what the kernels point into.
/// </summary>
internal sealed unsafe class NativeArena : IDisposable
{
    private readonly List<nint> _blocks = new();

    public long Bytes { get; private set; }

    public float* Floats(long count) => (float*)Allocate(count * sizeof(float));

    public double* Doubles(long count) => (double*)Allocate(count * sizeof(double));

    public int* Ints(long count) => (int*)Allocate(count * sizeof(int));

    public long* Longs(long count) => (long*)Allocate(count * sizeof(long));

    public byte* ByteBuffer(long count) => (byte*)Allocate(count);

    public int* Copy(int[] values)
    {
        int* p = Ints(values.Length);
        for (int i = 0; i < values.Length; i++) p[i] = values[i];
        return p;
    }

    private void* Allocate(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        // A little extra at the end of every block: kernels may read up to a vector past a buffer's logical end.
        nuint size = (nuint)(Math.Max(bytes, 1) + 256);
        void* p = NativeMemory.AlignedAlloc(size, 64);
        NativeMemory.Clear(p, size);
        _blocks.Add((nint)p);
        Bytes += (long)size;
        return p;
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var p in _blocks) NativeMemory.AlignedFree((void*)p);
        _blocks.Clear();
    }
}
