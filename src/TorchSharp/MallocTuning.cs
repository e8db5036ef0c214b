using System.Runtime.InteropServices;

namespace Mnist.Dsl.Torch;

/// <summary>
/// Keeps the memory libtorch frees in the process's heap, so that the next training step or evaluation batch
/// reuses it instead of getting fresh pages from the kernel. Call <see cref="Apply"/> once, at the start of a
/// program that trains or evaluates, before the first tensor.
/// <para>
/// Why: libtorch's CPU allocator is glibc's malloc, and every step frees and reallocates the same multi-megabyte
/// activation and gradient buffers. With glibc's defaults, blocks above the mmap threshold (dynamic, at most
/// 32 MB) are mmapped and unmapped on every use, and the top of the heap is trimmed back to the kernel, so each
/// step page-faults its buffers in again as zeroed pages. Measured with bench/Mnist.Bench (1 thread, `perf stat
/// -e page-faults,task-clock`, steps 3-22 minus steps 1-2): training the default network at batch 128 went from
/// 11,600 page faults a step to 660 and the kernel's share of the samples from 21% to 7%; evaluating at batch
/// 1,000, whose first activations (55 MB) are above any threshold glibc allows, from 112,000 faults and 503 ms
/// of CPU a batch to 4,100 and 205 ms. Mnist.Torch did the same in its C++ shim (mallopt plus a cache for
/// blocks of 32 MB and more); with TorchSharp there is no shim, and glibc's mallopt is reachable from C#.
/// </para>
/// <para>
/// What: no mmap for any block (M_MMAP_MAX = 0), so large blocks come from the heap and go back to its free
/// lists, and up to 512 MB free at the heap's top are kept (M_TRIM_THRESHOLD). The resident size stays at
/// its peak instead of shrinking between steps. Only glibc on Linux has these settings; elsewhere, and when
/// the environment variable <see cref="SwitchVariable"/> is "0", nothing changes.
/// </para>
/// </summary>
public static class MallocTuning
{
    /// <summary>Set it to "0" to keep glibc's defaults (for comparisons).</summary>
    public const string SwitchVariable = "MNIST_DSL_MALLOC_TUNING";

    /// <summary>Free memory at the heap's top that glibc keeps rather than returning it (the old shim's bound).</summary>
    public const int TrimThresholdBytes = 512 * 1024 * 1024;

    // glibc's <malloc.h>.
    private const int M_TRIM_THRESHOLD = -1;
    private const int M_MMAP_MAX = -4;

    private static readonly object Gate = new();
    private static bool? Applied;

    /// <summary>
    /// Applies the settings once per process. Returns whether they are in effect: false where there is no glibc,
    /// when <see cref="SwitchVariable"/> is "0", or when glibc refused them.
    /// </summary>
    public static bool Apply()
    {
        lock (Gate)
        {
            Applied ??= TryApply();
            return Applied.Value;
        }
    }

    private static bool TryApply()
    {
        if (!OperatingSystem.IsLinux() || Environment.GetEnvironmentVariable(SwitchVariable) == "0") return false;
        try
        {
            // mallopt returns 1 on success; musl's returns 0 and does nothing.
            return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThresholdBytes) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int param, int value);
}
