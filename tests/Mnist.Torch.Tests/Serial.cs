using Xunit;

namespace Mnist.Torch.Tests;

/// <summary>Tests that read process-wide counters (live tensors, resident memory) run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Serial (process-wide measurements)";
}
