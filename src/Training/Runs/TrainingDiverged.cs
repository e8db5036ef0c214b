namespace Mnist.Dsl.Training.Runs;

/// <summary>
/// The loss of a training batch (or the test loss after an epoch) is NaN or infinite: the run stops there, before
/// anything is written from that state, so checkpoint.safetensors and the weights stay those of the last good epoch.
/// Exit code <see cref="ExitCodes.Diverged"/>.
/// </summary>
internal sealed class TrainingDiverged(string message) : Exception(message)
{
    /// <summary>Throws when <paramref name="loss"/> is not finite; one compare per batch.</summary>
    public static void ThrowIfNotFinite(double loss, int epoch, long step, double learningRate, string what = "the training loss")
    {
        if (double.IsFinite(loss)) return;
        throw new TrainingDiverged(string.Format(CultureInfo.InvariantCulture,
            "training diverged: {0} is {1} at epoch {2}, step {3}, learning rate {4:G4}; nothing was saved from it (the run folder keeps its last " +
                "good epoch). Lower --lr (try {5:G2}) and start a new run.",
            what, loss, epoch, step, learningRate, learningRate / 10));
    }

    /// <summary>The first tensor of <paramref name="state"/> that holds NaN or infinity, with how many; null when all are finite.</summary>
    public static (string Tensor, long Count)? FirstNonFinite(IEnumerable<KeyValuePair<string, RawTensor>> state)
    {
        foreach (var (name, tensor) in state)
        {
            if (tensor.Dtype != "F32") continue;
            var bad = tensor.AsFloat32().Count(v => !float.IsFinite(v));
            if (bad > 0) return (name, bad);
        }
        return null;
    }

    public static TrainingDiverged InState(string tensor, long bad, int epoch, long step, double learningRate) =>
        new(string.Format(CultureInfo.InvariantCulture,
            "training diverged: {0} holds {1:N0} NaN or infinite values at the end of epoch {2} (step {3}, learning rate {4:G4}); " +
                "nothing was saved from it (the run folder keeps its last good epoch). Lower --lr (try {5:G2}) and start a new run.",
            tensor, bad, epoch, step, learningRate, learningRate / 10));
}
