namespace Mnist.Dsl.Training.Data;

/// <summary>
/// One epoch's mini-batches over an <see cref="MnistImages"/> set as float spans, for the plain-C# engine: a seeded
/// shuffle of the whole set (Fisher-Yates), batches of exactly <see cref="BatchSize"/> images in that order (the last
/// partial batch is dropped: a generated trainer's batch size is a constant), each image optionally rotated by its
/// own random angle (<see cref="RotationDraws"/>) with normalised black around it. Everything an epoch draws comes
/// from (seed, epoch), so an epoch after a resume draws what it would have.
/// </summary>
public sealed class EpochBatches
{
    private const ulong ShuffleStream = 1, RotationStream = 2;

    private readonly MnistImages set;
    private readonly int[] order;
    private readonly SeededRandom? rotation;
    private readonly double degrees;
    private readonly double[] angles;
    private readonly float[] rotated;
    private readonly int threads;
    private int next;

    /// <param name="set">The images and labels.</param>
    /// <param name="batchSize">Images per batch.</param>
    /// <param name="seed">The run's seed.</param>
    /// <param name="epoch">The epoch (1, 2, ...): with the seed it decides the order and the angles.</param>
    /// <param name="shuffle">False: the set's own order (for tests and evaluation).</param>
    /// <param name="degrees">Rotation range in degrees; 0 does not rotate.</param>
    /// <param name="threads">Threads that rotate a batch's images (the angles are drawn first, in order, so the
    /// batch is the same on any count): between steps the trainer's threads would otherwise wait for one.</param>
    public EpochBatches(MnistImages set, int batchSize, long seed, int epoch, bool shuffle = true, double degrees = 0, int threads = 1)
    {
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");
        if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "At least one thread rotates the images.");
        if (!(degrees >= 0)) throw new ArgumentOutOfRangeException(nameof(degrees), degrees, "The rotation range must be 0 or more degrees.");
        this.set = set;
        BatchSize = batchSize;
        order = new int[set.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        if (shuffle)
        {
            var random = SeededRandom.For(seed, epoch, ShuffleStream);
            for (var i = order.Length - 1; i > 0; i--)
            {
                var j = random.NextInt(i + 1);
                (order[i], order[j]) = (order[j], order[i]);
            }
        }
        this.degrees = degrees;
        this.threads = Math.Min(threads, batchSize);
        angles = new double[batchSize];
        rotated = degrees > 0 ? new float[batchSize * MnistImages.Pixels] : [];
        if (degrees > 0) rotation = SeededRandom.For(seed, epoch, RotationStream);
    }

    public int BatchSize { get; }

    /// <summary>Whole batches in the epoch.</summary>
    public int Count => set.Count / BatchSize;

    /// <summary>The set's indices in this epoch's order.</summary>
    public ReadOnlySpan<int> Order => order;

    /// <summary>
    /// Writes the next batch into <paramref name="images"/> ([BatchSize][784]) and <paramref name="labels"/>; false
    /// when the epoch has no whole batch left. Batches come in order, so the angles are drawn in order too.
    /// </summary>
    public bool Next(Span<float> images, Span<int> labels)
    {
        if (images.Length != BatchSize * MnistImages.Pixels || labels.Length != BatchSize)
            throw new ArgumentException($"A batch is {BatchSize} images of {MnistImages.Pixels} floats and {BatchSize} labels; got {images.Length} floats and {labels.Length} labels.");
        if (next >= Count) return false;
        for (var i = 0; i < BatchSize; i++)
        {
            var index = order[next * BatchSize + i];
            labels[i] = set.Labels[index];
            if (rotation is null) set.Image(index).CopyTo(images.Slice(i * MnistImages.Pixels, MnistImages.Pixels));
            else angles[i] = RotationDraws.Angle(rotation, degrees);
        }
        if (rotation is not null)
        {
            // Into an array of our own: a span cannot cross into the other threads.
            var first = next * BatchSize;
            if (threads == 1) Rotate(first, 0, BatchSize);
            else Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads },
                t => Rotate(first, BatchSize * t / threads, BatchSize * (t + 1) / threads));
            rotated.CopyTo(images);
        }
        next++;
        return true;
    }

    /// <summary>
    /// Passes over the next <paramref name="batches"/> batches as <see cref="Next"/> would, drawing their angles but
    /// rotating nothing: a run resumed in the middle of an epoch continues with the batches it would have had.
    /// </summary>
    public void Skip(int batches)
    {
        for (var b = 0; b < batches && next < Count; b++, next++)
            if (rotation is not null)
                for (var i = 0; i < BatchSize; i++) angles[i] = RotationDraws.Angle(rotation, degrees);
    }

    /// <summary>Rotates batch images [from, to) of the batch that starts at <paramref name="first"/> in the epoch's order.</summary>
    private void Rotate(int first, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            ImageRotation.Rotate(set.Image(order[first + i]), rotated.AsSpan(i * MnistImages.Pixels, MnistImages.Pixels), MnistImages.ImageSize, MnistImages.ImageSize, angles[i],
                (float)MnistImages.NormalizedBlack);
        }
    }
}
