namespace Mnist.Dsl.Engine.Parallel;

/// <summary>A sense-reversing barrier for a fixed number of threads; spins then yields, allocates nothing.</summary>
public sealed class SpinBarrier
{
    private readonly int _size;
    private int _remaining;
    private int _sense;

    public SpinBarrier(int size)
    {
        _size = size;
        _remaining = size;
    }

    public void Wait()
    {
        if (_size == 1) return;
        int sense = Volatile.Read(ref _sense);
        if (Interlocked.Decrement(ref _remaining) == 0)
        {
            Volatile.Write(ref _remaining, _size);
            Volatile.Write(ref _sense, 1 - sense);
            return;
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _sense) == sense) spin.SpinOnce(sleep1Threshold: -1);
    }
}
