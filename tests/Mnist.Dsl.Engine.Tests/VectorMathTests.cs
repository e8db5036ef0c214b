using System;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Simd;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The engine's 8-lane float log (LogSoftmax's log of its sum) against the double-precision log: within 2 ulp over the
/// positive normal floats, exactly 0 at 1, and the runtime's value at 0, subnormals, infinities, negatives and NaN.
/// </summary>
public sealed class VectorMathTests
{
    [Fact]
    public void Log_is_within_two_ulp_of_the_double_log_and_exact_at_the_edges()
    {
        var random = new Random(5);
        var values = new float[8 * 4096];
        for (int i = 0; i < values.Length; i++)
            values[i] = i switch
            {
                < 8 => new[] { 1f, 2f, 0.5f, 10f, 1.0000001f, 0.99999994f, float.MaxValue, 1.17549435E-38f }[i],
                // Sums of exp(x - max), as LogSoftmax takes them: 1 to the channel count.
                < 2048 => 1f + (float)random.NextDouble() * 20f,
                _ => MathF.ScaleB(1f + (float)random.NextDouble(), random.Next(-126, 128)),
            };
        for (int i = 0; i < values.Length; i += 8)
        {
            var logs = VectorMath.Log(Vector256.Create(values, i));
            for (int lane = 0; lane < 8; lane++)
            {
                float x = values[i + lane], log = logs[lane];
                double exact = Math.Log(x);
                double ulp = Math.Max(MathF.BitIncrement(MathF.Abs((float)exact)) - MathF.Abs((float)exact), float.Epsilon);
                Assert.True(Math.Abs(log - exact) <= 2 * ulp, $"log({x:R}) = {log:R}, exact {exact:R}");
            }
        }
        Assert.Equal(0f, VectorMath.Log(Vector256.Create(1f))[0]);
        float[] edges = [0f, -0f, 1e-40f, float.PositiveInfinity, -1f, float.NegativeInfinity, float.NaN, float.Epsilon];
        var edgeLogs = VectorMath.Log(Vector256.Create(edges));
        for (int lane = 0; lane < 8; lane++) Assert.Equal(Vector256.Log(Vector256.Create(edges))[lane], edgeLogs[lane]);
    }
}
