using System.Runtime.ExceptionServices;

namespace Mnist.Dsl.Engine.Parallel;

/// <summary>
/// A fixed team of threads for one trainer: the caller is member 0, the others are dedicated background threads
/// started once. <see cref="Run"/> hands every member the same body with its index and returns when all are done.
/// No Task, no closure per call, no allocation: the body is a delegate the trainer creates once.
/// Barriers spin, then yield (never sleep a millisecond: a step is a few milliseconds with a barrier per BatchNorm);
/// idle workers block on a semaphore so that a trainer between steps costs the machine nothing.
/// A member that throws aborts the barrier, so the others leave it instead of waiting forever for the failed one; the
/// first exception is rethrown to the caller of <see cref="Run"/> as itself, with the worker's stack.
/// </summary>
internal sealed class WorkerTeam : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SpinBarrier _barrier;
    private Action<int>? _body;
    private readonly SemaphoreSlim[] _start;
    private readonly long[] _allocated;
    private int _pending;
    private volatile bool _stopping;
    private Exception? _failure;

    public int Size { get; }

    public WorkerTeam(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "a team has at least one thread");
        Size = size;
        _barrier = new SpinBarrier(size);
        _allocated = new long[size];
        _threads = new Thread[size - 1];
        _start = new SemaphoreSlim[size - 1];
        for (int i = 0; i < size - 1; i++) _start[i] = new SemaphoreSlim(0);
        for (int i = 1; i < size; i++)
        {
            int member = i;
            _threads[i - 1] = new Thread(() => Work(member)) { IsBackground = true, Name = $"engine worker {member}" };
            _threads[i - 1].Start();
        }
    }

    /// <summary>
    /// Bytes a worker thread (member 1 and up) had allocated when it finished its last body: the allocation test's view
    /// of threads other than its own (the whole process's count includes the test runner's threads).
    /// </summary>
    public long AllocatedBytes(int member) => Volatile.Read(ref _allocated[member]);

    /// <summary>Waits until every member has reached this point (inside a body).</summary>
    public void Barrier() => _barrier.Wait();

    public void Run(Action<int> body)
    {
        _body = body;
        _failure = null;
        Volatile.Write(ref _pending, Size - 1);
        foreach (var start in _start) start.Release();
        try
        {
            body(0);
        }
        catch (Exception e)
        {
            Fail(e);
        }
        var spin = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) spin.SpinOnce(sleep1Threshold: -1);
        if (Volatile.Read(ref _failure) is { } failure)
        {
            // Every member has left the body: the barrier can be made whole again for the next Run.
            _barrier.Reset();
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Keeps the first real failure (not a member released by the abort), then releases the barrier.</summary>
    private void Fail(Exception e)
    {
        if (e is not BarrierAbortedException) Interlocked.CompareExchange(ref _failure, e, null);
        _barrier.Abort();
    }

    private void Work(int member)
    {
        while (true)
        {
            _start[member - 1].Wait();
            if (_stopping) return;
            try
            {
                _body!(member);
            }
            catch (Exception e)
            {
                Fail(e);
            }
            _allocated[member] = GC.GetAllocatedBytesForCurrentThread();
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        if (_stopping) return;
        _stopping = true;
        foreach (var start in _start) start.Release();
        foreach (var thread in _threads) thread.Join();
        foreach (var start in _start) start.Dispose();
    }
}
