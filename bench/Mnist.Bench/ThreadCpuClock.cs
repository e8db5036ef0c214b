using System.Runtime.InteropServices;

namespace Mnist.Bench;

/// <summary>
/// The CPU time the calling thread has used, in nanoseconds (Linux's CLOCK_THREAD_CPUTIME_ID). On a machine
/// other processes load, wall time counts the time this thread waited for a core; its CPU time does not, so
/// single-threaded phase costs compare across runs far better than wall times do.
/// </summary>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    public static long Nanoseconds()
    {
        ClockGetTime(ClockThreadCpuTimeId, out var t);
        return t.Seconds * 1_000_000_000 + t.Nanoseconds;
    }
}
