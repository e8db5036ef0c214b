using System;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine;
using Mnist.Dsl.Engine.Convolution;
using Mnist.Dsl.Engine.Simd;
using Mnist.Dsl.Simd;
using Mnist.Dsl.Engine.Trainers;

/// <summary>
/// The experiment behind one design choice: does the JIT's knowledge of a shape speed the convolution up? The
/// engine's forward kernel with the shape as run-time arguments, the same loop with the shape from a struct's static
/// abstract members (the JIT folds them to constants per instantiation), and the same loop with literals, on
/// DefaultNet's hot layer (16→24, 3×3, 26×26), alternating rounds. Not part of the engine.
/// </summary>
internal static unsafe class ShapeSpecialization
{
    private interface IForwardShape
    {
        static abstract int Depth { get; }

        static abstract int OutChannels { get; }

        static abstract int Positions { get; }
    }

    private struct Conv2At256 : IForwardShape
    {
        public static int Depth => 144;

        public static int OutChannels => 24;

        public static int Positions => 624;
    }

    public static void Run(int images, int rounds)
    {
        var g = Mnist.Models.DefaultNet.Trainer.Blueprint.Convolutions[1] with { VectorWidth = 8 };
        using var arena = new NativeArena();
        float* x = arena.Floats((long)images * g.InputSize + Conv2dGeometry.Slack);
        float* w = arena.Floats(g.WeightCount);
        float* packed = arena.Floats(g.WeightCount);
        float* output = arena.Floats((long)g.OutChannels * g.OutputPositions + 64);
        int* columns = arena.Copy(g.ForwardColumns());
        var random = new Random(3);
        for (long i = 0; i < (long)images * g.InputSize; i++) x[i] = (float)random.NextDouble();
        for (int i = 0; i < g.WeightCount; i++) w[i] = (float)random.NextDouble();
        WeightPacking.PackForward(w, g.OutChannels, g.InChannels * g.Taps, packed);
        if (g.OutputPositions != Conv2At256.Positions || g.InChannels * g.Taps != Conv2At256.Depth)
            throw new InvalidOperationException("the experiment's constants no longer match DefaultNet's conv2 (Mnist.Models.DefaultNet.Trainer.Blueprint.Convolutions[1])");

        // Best round of each (the least disturbed: the machine is shared), rounds alternating between the variants.
        double runtime = double.MaxValue, generic = double.MaxValue, literal = double.MaxValue;
        for (int round = 0; round <= rounds; round++)
        {
            // Round 0 warms every variant through tiered compilation and is not counted.
            double a = Time(images, i => WideConvolution<Vector256<float>, Vec256>.Forward(x + (long)i * g.InputSize, 0, 1, columns, 144, packed, 24, null, output, 624, 624));
            double b = Time(images, i => Generic<Conv2At256>(x + (long)i * g.InputSize, columns, packed, output));
            double c = Time(images, i => Literal(x + (long)i * g.InputSize, columns, packed, output));
            if (round == 0) continue;
            runtime = Math.Min(runtime, a); generic = Math.Min(generic, b); literal = Math.Min(literal, c);
        }
        double macs = g.MultiplyAdds;
        Console.WriteLine($"shape as arguments: {2 * macs / runtime / 1e9:F1} GFLOP/s");
        Console.WriteLine($"shape from static abstract members: {2 * macs / generic / 1e9:F1} GFLOP/s");
        Console.WriteLine($"shape as literals: {2 * macs / literal / 1e9:F1} GFLOP/s");
    }

    private static double Time(int images, Action<int> body)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < images; i++) body(i);
        return clock.Elapsed.TotalSeconds / images;
    }

    private static void Generic<TShape>(float* x, int* columns, float* packed, float* output) where TShape : struct, IForwardShape
    {
        for (int co = 0; co < TShape.OutChannels; co += 4)
            for (int p = 0; p < TShape.Positions; p += 24)
                Block(x + p, columns, TShape.Depth, packed + co * TShape.Depth, output + co * TShape.Positions + p, TShape.Positions);
    }

    private static void Literal(float* x, int* columns, float* packed, float* output)
    {
        for (int co = 0; co < 24; co += 4)
            for (int p = 0; p < 624; p += 24)
                Block(x + p, columns, 144, packed + co * 144, output + co * 624 + p, 624);
    }

    // The engine's 4x3 block (Vector256), inlined into each caller so that the constants reach it.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block(float* x, int* columns, int depth, float* w, float* o, int plane)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a10 = default, a11 = default, a12 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a30 = default, a31 = default, a32 = default;
        for (int j = 0; j < depth; j++, w += 4)
        {
            float* xj = x + columns[j];
            var x0 = Vector256.Load(xj); var x1 = Vector256.Load(xj + 8); var x2 = Vector256.Load(xj + 16);
            var w0 = Vector256.Create(w[0]);
            a00 = Vec256.MulAdd(x0, w0, a00); a01 = Vec256.MulAdd(x1, w0, a01); a02 = Vec256.MulAdd(x2, w0, a02);
            var w1 = Vector256.Create(w[1]);
            a10 = Vec256.MulAdd(x0, w1, a10); a11 = Vec256.MulAdd(x1, w1, a11); a12 = Vec256.MulAdd(x2, w1, a12);
            var w2 = Vector256.Create(w[2]);
            a20 = Vec256.MulAdd(x0, w2, a20); a21 = Vec256.MulAdd(x1, w2, a21); a22 = Vec256.MulAdd(x2, w2, a22);
            var w3 = Vector256.Create(w[3]);
            a30 = Vec256.MulAdd(x0, w3, a30); a31 = Vec256.MulAdd(x1, w3, a31); a32 = Vec256.MulAdd(x2, w3, a32);
        }
        a00.Store(o); a01.Store(o + 8); a02.Store(o + 16);
        o += plane;
        a10.Store(o); a11.Store(o + 8); a12.Store(o + 16);
        o += plane;
        a20.Store(o); a21.Store(o + 8); a22.Store(o + 16);
        o += plane;
        a30.Store(o); a31.Store(o + 8); a32.Store(o + 16);
    }
}
