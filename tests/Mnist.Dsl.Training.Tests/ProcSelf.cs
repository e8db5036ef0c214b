using System;
using System.IO;
using System.Linq;

namespace Mnist.Dsl.Training.Tests;

/// <summary>This process's memory figures from Linux's /proc/self, for the tests that run alone (Serial).</summary>
internal static class ProcSelf
{
    public static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
    }
}
