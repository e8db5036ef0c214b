using Xunit;

namespace Mnist.Inference.Tests;

/// <summary>Tests that seed libtorch's default generator run one at a time, so no other test draws in between.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class Serial
{
    public const string Name = "Serial (libtorch's generator)";
}
