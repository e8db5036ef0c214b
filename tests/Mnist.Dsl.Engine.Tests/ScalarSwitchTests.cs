using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Mnist.Dsl.Engine.Layers;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;
using Xunit;

namespace Mnist.Dsl.Engine.Tests;

/// <summary>
/// The scalar switch (<c>MNIST_ENGINE_SIMD=1</c>, or a trainer's <see cref="SimdWidth.Scalar"/>) really makes every
/// kernel scalar: the dispatch instantiates the kernels at the thread's width; the kernels that sum give, at the scalar
/// width, the bits of an independent one-value-at-a-time reference (and other bits at a vector width, so a kernel that
/// ignored the switch would fail here); and no engine source outside src/Engine/Simd reaches SIMD another way.
/// </summary>
public sealed unsafe class ScalarSwitchTests
{
    private const int Channels = 3, Height = 13, Plane = Height * 13;

    private readonly struct CountProbe(int[] seen) : IWidthKernel, IElementwiseKernel
    {
        public int Length => 1;

        public void Run<TV, TOps>() where TV : struct where TOps : struct, IVectorOps<TV> => seen[0] = TOps.Count;

        public void At<TV, TOps>(int i) where TV : struct where TOps : struct, IVectorOps<TV> => seen[0] = TOps.Count;
    }

    [Theory]
    [InlineData(SimdWidth.Scalar)]
    [InlineData(SimdWidth.Bits256)]
    [InlineData(SimdWidth.Bits512)]
    public void Kernels_are_instantiated_at_the_thread_width(SimdWidth width)
    {
        // A width the processor does not accelerate runs at the process's; these kernels take 256-bit vectors at 512 bits.
        int expected = SimdWidths.AtMost(width, SimdWidths.Best()) switch { SimdWidth.Scalar => 1, SimdWidth.Bits256 or SimdWidth.Bits512 => 8 };
        var seen = new int[1];
        using (VectorPaths.Use(width))
        {
            VectorPaths.Run(new CountProbe(seen));
            Assert.Equal(expected, seen[0]);
            seen[0] = 0;
            // An elementwise kernel over one lane runs it at the scalar width (a tail), over a vector at the width.
            VectorPaths.Elementwise(new CountProbe(seen));
            Assert.Equal(1, seen[0]);
        }
    }

    [Fact]
    public void A_scalar_trainer_runs_its_kernels_scalar() =>
        Assert.Equal(SimdWidth.Scalar, SimdWidths.For(SimdWidth.Scalar));

    [Fact]
    public void Batch_norm_statistics_at_the_scalar_width_are_the_reference_sums() => ScalarIsReference(() =>
    {
        var x = Values(1, Channels * Plane);
        var shift = new float[] { 0.1f, -0.2f, 0.3f };
        var sums = new double[2 * Channels];
        fixed (float* px = x, psh = shift)
        fixed (double* ps = sums)
            BatchNormKernels.AccumulateStatistics(px, Channels, Plane, psh, ps, ps + Channels);
        return sums;
    }, () =>
    {
        var x = Values(1, Channels * Plane);
        var shift = new float[] { 0.1f, -0.2f, 0.3f };
        var sums = new double[2 * Channels];
        for (int c = 0; c < Channels; c++)
            for (int i = 0; i < Plane; i++)
            {
                double a = x[c * Plane + i] - shift[c];
                sums[c] += a;
                sums[Channels + c] += a * a;
            }
        return sums;
    });

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.3)]
    public void Batch_norm_gradient_sums_at_the_scalar_width_are_the_reference_sums(double p) => ScalarIsReference(() =>
    {
        var (dy, x, mean, inverseStd) = GradientInputs();
        var sums = new double[2 * Channels];
        fixed (float* pdy = dy, px = x, pm = mean, pis = inverseStd)
        fixed (double* ps = sums)
        {
            if (p == 0) BatchNormKernels.AccumulateGradientSums(pdy, px, Channels, Plane, pm, pis, ps, ps + Channels);
            else BatchNormKernels.DropoutBackwardAndGradientSums(pdy, px, Channels, Plane, pm, pis, 17, 0xC0FFEEu, p, ps, ps + Channels);
        }
        return sums.Concat(dy.Select(v => (double)v)).ToArray();
    }, () =>
    {
        var (dy, x, mean, inverseStd) = GradientInputs();
        var sums = new double[2 * Channels];
        uint threshold = p == 0 ? 0 : DropoutMask.Threshold(p);
        for (int c = 0; c < Channels; c++)
        {
            double s = 0, q = 0;
            for (int i = 0; i < Plane; i++)
            {
                int at = c * Plane + i;
                if (p > 0) dy[at] = DropoutMask.Hash(0xC0FFEEu, 17 + (uint)at) >= threshold ? dy[at] * (float)(1.0 / (1.0 - p)) : 0f;
                s += dy[at];
                q += dy[at] * (x[at] - mean[c]);
            }
            sums[c] = s;
            sums[Channels + c] = q * inverseStd[c];
        }
        return sums.Concat(dy.Select(v => (double)v)).ToArray();
    });

    /// <summary>Rows of 40: whole vectors at every width (a row's rest is summed in double at every width).</summary>
    private const int Row = 40;

    [Fact]
    public void Convolution_epilogue_statistics_at_the_scalar_width_are_the_reference_sums() => ScalarIsReference(() =>
    {
        int wideRow = Row + 2, widePlane = Height * wideRow;
        var wide = Values(3, Channels * widePlane + 64);
        var output = new float[Channels * Height * Row];
        var sums = new double[2 * Channels];
        fixed (float* pw = wide, po = output)
        fixed (double* ps = sums)
            ConvEpilogue.ReluWithStatistics(pw, widePlane, wideRow, Channels, Height, Row, po, ps, ps + Channels);
        return sums.Concat(output.Select(v => (double)v)).ToArray();
    }, () =>
    {
        int wideRow = Row + 2, widePlane = Height * wideRow;
        var wide = Values(3, Channels * widePlane + 64);
        var output = new float[Channels * Height * Row];
        var sums = new double[2 * Channels];
        for (int c = 0; c < Channels; c++)
            for (int y = 0; y < Height; y++)
                for (int x = 0; x < Row; x++)
                {
                    float a = Math.Max(wide[c * widePlane + y * wideRow + x], 0f);
                    output[(c * Height + y) * Row + x] = a;
                    sums[c] += a;
                    sums[Channels + c] += (double)a * a;
                }
        return sums.Concat(output.Select(v => (double)v)).ToArray();
    });

    [Fact]
    public void The_engine_reaches_simd_only_through_the_width_dispatch()
    {
        // Comments aside, no engine source outside src/Engine/Simd names System.Numerics' vectors or the intrinsics
        // classes: a kernel written that way would not obey the width, and so not the scalar switch.
        var other = new Regex(@"System\.Numerics|Intrinsics\.X86|\bVector<|\bVector(64|128|256|512)?\.|\b(Sse\d*|Avx\w*|Fma|AdvSimd)\.");
        var engine = Path.Combine(RepositoryRoot(), "src", "Engine");
        var simd = Path.Combine(engine, "Simd") + Path.DirectorySeparatorChar;
        var offenders =
            from file in Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            where !file.StartsWith(simd, StringComparison.Ordinal) && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
            from line in File.ReadLines(file).Select((text, index) => (text, number: index + 1))
            let code = line.text.Split("//")[0]
            where other.IsMatch(code)
            select $"{Path.GetRelativePath(engine, file)}:{line.number}: {line.text.Trim()}";
        Assert.Empty(offenders);
    }

    /// <summary>
    /// The kernel at the scalar width gives exactly the reference's values; at each vector width, different ones (its
    /// lanes sum in float), which is what makes the first check fail for a kernel that ignores the width.
    /// </summary>
    private static void ScalarIsReference(Func<double[]> kernel, Func<double[]> reference)
    {
        var expected = reference();
        using (VectorPaths.Use(SimdWidth.Scalar)) Assert.Equal(expected, kernel());
        foreach (var width in new[] { SimdWidth.Bits256, SimdWidth.Bits512 }.Where(w => SimdWidths.AtMost(w, SimdWidths.Best()) == w))
            using (VectorPaths.Use(width))
                Assert.NotEqual(expected, kernel());
    }

    private static (float[] Dy, float[] X, float[] Mean, float[] InverseStd) GradientInputs() =>
        (Values(5, Channels * Plane), Values(4, Channels * Plane), [0.05f, -0.1f, 0.2f], [1.5f, 0.7f, 2.0f]);

    private static float[] Values(int seed, int count)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "Mnist.Dsl.sln"))) return directory.FullName;
        throw new InvalidOperationException($"No Mnist.Dsl.sln above {AppContext.BaseDirectory}");
    }
}
