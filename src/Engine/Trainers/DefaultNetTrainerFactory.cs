using System;
using System.Runtime.Intrinsics;
using Mnist.Dsl.Engine.Optim;
using Mnist.Dsl.Engine.Simd;

namespace Mnist.Dsl.Engine.Trainers;

/// <summary>Builds the default network's trainer at the widest vector width this processor accelerates.</summary>
public static class DefaultNetTrainerFactory
{
    public static ITrainer Create(int batchSize, int threads, ulong seed, IOptimizer optimizer, SimdWidth? width = null, double dropout = 0.05) =>
        (width ?? SimdWidths.Best()) switch
        {
            SimdWidth.Bits512 => new DefaultNetTrainer<Vector512<float>, Vec512>(batchSize, threads, seed, optimizer, dropout),
            SimdWidth.Bits256 => new DefaultNetTrainer<Vector256<float>, Vec256>(batchSize, threads, seed, optimizer, dropout),
            SimdWidth.Scalar => new DefaultNetTrainer<float, VecScalar>(batchSize, threads, seed, optimizer, dropout),
            var other => throw new ArgumentOutOfRangeException(nameof(width), other, "no such width"),
        };
}
