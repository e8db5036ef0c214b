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

    /// <summary>Page faults served without I/O so far: each fresh page the process touches is one (minflt, stat field 10).</summary>
    public static long MinorPageFaults()
    {
        var stat = File.ReadAllText("/proc/self/stat");
        // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[10 - 3]);
    }
}
