namespace Mnist.Dsl.Training.Checkpoints;

/// <summary>
/// Where a stopped epoch was (generated engine): the batches it had trained and its running training loss and accuracy,
/// saved in the checkpoint's metadata with the weights and optimizer state of that moment. --resume skips those batches
/// of the epoch (its order and angles come from (seed, epoch)), replays the schedule to that step and goes on with the
/// same sums, so the epoch ends with the bits an uninterrupted run has. The loss sum is stored as its 64 bits.
/// </summary>
internal sealed record MidEpoch(int Batch, double LossSum, long Correct, long Seen)
{
    private const string BatchKey = "mid_epoch_batch", LossKey = "mid_epoch_loss_sum_bits", CorrectKey = "mid_epoch_correct",
        SeenKey = "mid_epoch_seen";

    public IReadOnlyDictionary<string, string> ToMetadata() => new Dictionary<string, string>
    {
        [BatchKey] = Batch.ToString(CultureInfo.InvariantCulture),
        [LossKey] = BitConverter.DoubleToInt64Bits(LossSum).ToString(CultureInfo.InvariantCulture),
        [CorrectKey] = Correct.ToString(CultureInfo.InvariantCulture),
        [SeenKey] = Seen.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>The position a checkpoint holds; null for a checkpoint at an epoch's end.</summary>
    public static MidEpoch? Read(string checkpoint)
    {
        SafeTensorsFile.Read(checkpoint, out var metadata);
        if (!metadata.ContainsKey(BatchKey)) return null;
        long Number(string key) =>
            long.TryParse(metadata.GetValueOrDefault(key), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
            : throw new InvalidDataException($"{checkpoint} is damaged: it stops mid-epoch but has no {key}.");
        return new MidEpoch((int)Number(BatchKey), BitConverter.Int64BitsToDouble(Number(LossKey)), Number(CorrectKey), Number(SeenKey));
    }
}
