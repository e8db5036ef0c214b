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

    private readonly MnistImages _set;
    private readonly int[] _order;
    private readonly SeededRandom? _rotation;
    private readonly double _degrees;
    private readonly double[] _angles;
    private readonly float[] _rotated;
    private readonly int _threads;
    private int _next;

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
        _set = set;
        BatchSize = batchSize;
        _order = new int[set.Count];
        for (var i = 0; i < _order.Length; i++) _order[i] = i;
        if (shuffle)
        {
            var random = SeededRandom.For(seed, epoch, ShuffleStream);
            for (var i = _order.Length - 1; i > 0; i--)
            {
                var j = random.NextInt(i + 1);
                (_order[i], _order[j]) = (_order[j], _order[i]);
            }
        }
        _degrees = degrees;
        _threads = Math.Min(threads, batchSize);
        _angles = new double[batchSize];
        _rotated = degrees > 0 ? new float[batchSize * MnistImages.Pixels] : [];
        if (degrees > 0) _rotation = SeededRandom.For(seed, epoch, RotationStream);
    }

    public int BatchSize { get; }

    /// <summary>Whole batches in the epoch.</summary>
    public int Count => _set.Count / BatchSize;

    /// <summary>The set's indices in this epoch's order.</summary>
    public ReadOnlySpan<int> Order => _order;

    /// <summary>
    /// Writes the next batch into <paramref name="images"/> ([BatchSize][784]) and <paramref name="labels"/>; false
    /// when the epoch has no whole batch left. Batches come in order, so the angles are drawn in order too.
    /// </summary>
    public bool Next(Span<float> images, Span<int> labels)
    {
        if (images.Length != BatchSize * MnistImages.Pixels || labels.Length != BatchSize)
            throw new ArgumentException(
                $"A batch is {BatchSize} images of {MnistImages.Pixels} floats and {BatchSize} labels; " +
                $"got {images.Length} floats and {labels.Length} labels.");
        if (_next >= Count) return false;
        for (var i = 0; i < BatchSize; i++)
        {
            var index = _order[_next * BatchSize + i];
            labels[i] = _set.Labels[index];
            if (_rotation is null) _set.Image(index).CopyTo(images.Slice(i * MnistImages.Pixels, MnistImages.Pixels));
            else _angles[i] = RotationDraws.Angle(_rotation, _degrees);
        }
        if (_rotation is not null)
        {
            // Into an array of our own: a span cannot cross into the other threads.
            var first = _next * BatchSize;
            if (_threads == 1) Rotate(first, 0, BatchSize);
            else Parallel.For(0, _threads, new ParallelOptions { MaxDegreeOfParallelism = _threads },
                t => Rotate(first, BatchSize * t / _threads, BatchSize * (t + 1) / _threads));
            _rotated.CopyTo(images);
        }
        _next++;
        return true;
    }

    /// <summary>
    /// Passes over the next <paramref name="batches"/> batches as <see cref="Next"/> would, drawing their angles but
    /// rotating nothing: a run resumed in the middle of an epoch continues with the batches it would have had.
    /// </summary>
    public void Skip(int batches)
    {
        for (var b = 0; b < batches && _next < Count; b++, _next++)
            if (_rotation is not null)
                for (var i = 0; i < BatchSize; i++) _angles[i] = RotationDraws.Angle(_rotation, _degrees);
    }

    /// <summary>Rotates batch images [from, to) of the batch that starts at <paramref name="first"/> in the epoch's order.</summary>
    private void Rotate(int first, int from, int to)
    {
        for (var i = from; i < to; i++)
        {
            ImageRotation.Rotate(_set.Image(_order[first + i]), _rotated.AsSpan(i * MnistImages.Pixels, MnistImages.Pixels), MnistImages.ImageSize,
                MnistImages.ImageSize, _angles[i],
                (float)MnistImages.NormalizedBlack);
        }
    }
}
