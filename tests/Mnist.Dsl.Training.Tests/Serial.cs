using Xunit;

namespace Mnist.Dsl.Training.Tests;

/// <summary>
/// Tests that read or steer process-wide state run alone, after the parallel ones: live-tensor counts, resident
/// memory, and libtorch's default random generator. A test that seeds the generator and expects PyTorch's draws
/// fails when a test on another thread draws in between (CI caught it once in the RNG-state round trip).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Serial (process-wide state)";
}
