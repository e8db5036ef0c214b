namespace Mnist.Dsl.Engine.Composition;

/// <summary>
/// One chunk of a step as a unit sees it: images [From, To), the chunk's number (its row in every partial-sum table),
/// the thread running it, the flat parameters, the chunk's own gradient accumulator (parallel to the parameters), and
/// the seed and step that key the dropout masks. A value type: handing it around allocates nothing.
/// </summary>
internal readonly unsafe struct ChunkWork(int from, int to, int chunk, int thread, float* parameters, float* gradient, ulong seed, long step)
{
    public int From { get; } = from;

    public int To { get; } = to;

    public int Chunk { get; } = chunk;

    public int Thread { get; } = thread;

    public float* Parameters { get; } = parameters;

    public float* Gradient { get; } = gradient;

    public ulong Seed { get; } = seed;

    public long Step { get; } = step;
}
