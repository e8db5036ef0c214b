using System.Collections.Generic;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Simd;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>The vector widths this processor runs (scalar always), also as xunit theory data.</summary>
public static class Widths
{
    public static IEnumerable<SimdWidth> Accelerated()
    {
        yield return SimdWidth.Scalar;
        if (Vector256.IsHardwareAccelerated) yield return SimdWidth.Bits256;
        if (Vector512.IsHardwareAccelerated) yield return SimdWidth.Bits512;
    }

    public static TheoryData<SimdWidth> Available()
    {
        var data = new TheoryData<SimdWidth>();
        foreach (var w in Accelerated()) data.Add(w);
        return data;
    }

    /// <summary>Every named reference case at every width this processor runs.</summary>
    public static TheoryData<string, SimdWidth> ForEach(IEnumerable<string> caseNames)
    {
        var data = new TheoryData<string, SimdWidth>();
        foreach (var name in caseNames)
            foreach (var w in Accelerated()) data.Add(name, w);
        return data;
    }
}
