using System.Collections;

namespace Mnist.Dsl.Torch;

/// <summary>
/// Mini-batches over a set already in memory, as <c>DataLoader(TensorDataset(images, labels), batch_size,
/// shuffle)</c>: each enumeration is one epoch. When shuffling, the epoch draws one <c>torch.randperm</c>
/// from libtorch's default generator (so <see cref="torch.manual_seed"/> makes the order reproducible) and
/// each batch is an <c>index_select</c> of it; otherwise batches are <c>narrow</c> views in order. Nothing is
/// copied through the host. The last partial batch is kept unless <c>drop_last</c>.
/// <para>
/// Batch tensors are created in whatever dispose scope is open when the enumerator advances (the caller's),
/// and with <c>disposeBatch</c> (the default, as in TorchSharp's DataLoader) the enumerator also disposes
/// each batch when it advances past it or ends, so a <c>foreach</c> with a scope per step inside the loop
/// body, which opens after the batch was made, still frees every batch. Clone a batch to keep it longer.
/// </para>
/// <para>
/// Batches of <paramref name="batchSize"/> samples of <paramref name="images"/> and <paramref name="labels"/> paired
/// along their first dimension. Neither tensor is owned: both must outlive the enumeration.
/// </para>
/// </summary>
public sealed class BatchIterator(torch.Tensor images, torch.Tensor labels, long batchSize, bool shuffle = true, bool drop_last = false,
    bool disposeBatch = true) : IEnumerable<(torch.Tensor Images, torch.Tensor Labels)>
{
    private readonly torch.Tensor _images = images;
    private readonly torch.Tensor _labels = labels;

    // Initialised in this order: the batch size is checked first, then whether the tensors pair up.
    public long BatchSize { get; } =
        batchSize >= 1 ? batchSize : throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be at least 1.");

    /// <summary>The number of samples.</summary>
    public long Size { get; } = PairedCount(images, labels);

    /// <summary>Batches over a loaded MNIST set, which must outlive the enumeration.</summary>
    public BatchIterator(MnistDataset dataset, long batchSize, bool shuffle = true, bool drop_last = false, bool disposeBatch = true)
        : this(dataset.Images, dataset.Labels, batchSize, shuffle, drop_last, disposeBatch)
    {
    }

    /// <summary>The number of batches in an epoch.</summary>
    public long Count => drop_last ? Size / BatchSize : (Size + BatchSize - 1) / BatchSize;

    /// <summary>Starts an epoch; with shuffling, its order is drawn at the first <c>MoveNext</c>.</summary>
    public IEnumerator<(torch.Tensor Images, torch.Tensor Labels)> GetEnumerator()
    {
        torch.Tensor? order = null, batchImages = null, batchLabels = null;
        try
        {
            // The permutation lives for the whole epoch, across the caller's per-step scopes: ours alone.
            if (shuffle) order = torch.randperm(Size).DetachFromDisposeScope();
            for (long batch = 0, batches = Count; batch < batches; batch++)
            {
                if (disposeBatch)
                {
                    batchImages?.Dispose();
                    batchLabels?.Dispose();
                }
                var start = batch * BatchSize;
                var length = Math.Min(BatchSize, Size - start);
                if (order is null)
                {
                    batchImages = _images.narrow(0, start, length);
                    batchLabels = _labels.narrow(0, start, length);
                }
                else
                {
                    using var index = order.narrow(0, start, length);
                    batchImages = _images.index_select(0, index);
                    batchLabels = _labels.index_select(0, index);
                }
                yield return (batchImages, batchLabels);
            }
        }
        finally
        {
            order?.Dispose();
            if (disposeBatch)
            {
                batchImages?.Dispose();
                batchLabels?.Dispose();
            }
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private static long PairedCount(torch.Tensor images, torch.Tensor labels)
    {
        if (images.Dimensions < 1 || labels.Dimensions < 1)
            throw new ArgumentException("Images and labels need a first (sample) dimension.");
        var count = images.size(0);
        if (labels.size(0) != count)
            throw new ArgumentException($"There are {count} images but {labels.size(0)} labels; they must pair up along the first dimension.",
                nameof(labels));
        return count;
    }
}
