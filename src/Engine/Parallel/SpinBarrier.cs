namespace Mnist.Dsl.Engine.Parallel;

/// <summary>
/// A sense-reversing barrier for a fixed number of threads; spins then yields, allocates nothing. It can be aborted:
/// a member that fails never arrives, so the team aborts the barrier and every member waiting in it, or arriving
/// later, leaves with <see cref="BarrierAbortedException"/> instead of spinning forever. The abort flag is read only
/// while waiting, so a step that does not fail pays nothing for it.
/// </summary>
internal sealed class SpinBarrier
{
    private readonly int _size;
    private int _remaining;
    private int _sense;
    private volatile bool _aborted;

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
        while (Volatile.Read(ref _sense) == sense)
        {
            if (_aborted) throw new BarrierAbortedException();
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    /// <summary>Releases every member waiting now, and fails every later <see cref="Wait"/>, until <see cref="Reset"/>.</summary>
    public void Abort() => _aborted = true;

    /// <summary>A fresh barrier again; only while no member is inside it (the team calls it once all have returned).</summary>
    public void Reset()
    {
        Volatile.Write(ref _remaining, _size);
        _aborted = false;
    }
}

/// <summary>Thrown in the members of an aborted barrier: another member failed, and its exception is the one that counts.</summary>
internal sealed class BarrierAbortedException() : Exception("another member of the worker team failed, so this one left the barrier");
