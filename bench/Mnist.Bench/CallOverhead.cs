using System.Diagnostics;
using static TorchSharp.torch;

namespace Mnist.Bench;

/// <summary>
/// TorchSharp's cost per libtorch call, the same loop as bench/pytorch/call_overhead.py: relu on a one-element
/// tensor under no_grad, 25 calls per dispose scope (a forward pass of the default network makes 25). The native
/// work is a few nanoseconds, so the time per call is what a call costs on each side: P/Invoke, the SafeHandle,
/// the Tensor object and its dispose-scope entry here; the Python interpreter and its argument parsing there.
/// </summary>
internal static class CallOverhead
{
    public static double NanosecondsPerCall(int calls, int threads)
    {
        set_num_threads(threads);
        using var x = ones(new long[] { 1 });
        using var noGrad = no_grad();
        const int perScope = 25;

        void Run(int count)
        {
            for (var done = 0; done < count; done += perScope)
            {
                using var scope = NewDisposeScope();
                for (var i = 0; i < perScope; i++) nn.functional.relu(x);
            }
        }

        Run(calls / 10);
        var clock = Stopwatch.StartNew();
        Run(calls);
        return clock.Elapsed.TotalMilliseconds * 1e6 / calls;
    }
}
