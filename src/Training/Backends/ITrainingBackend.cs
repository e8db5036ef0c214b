namespace Mnist.Dsl.Training.Backends;

/// <summary>
/// What computes a run's steps: the plain-C# engine (<see cref="EngineBackend"/>, the default, no native library) or
/// TorchSharp (the opt-in Mnist.Dsl.TorchSharp package). The epoch loop, progress, metrics, checkpoints, resume and plots
/// are <see cref="Runs.TrainingLoop"/>'s, the same for every backend; a backend owns its model, optimizer, schedule, data
/// and the tensors of its files.
/// </summary>
internal interface ITrainingBackend
{
    /// <summary>A new run of <paramref name="network"/>: its model, optimizer and schedule from the settings, MNIST from the folder.</summary>
    ITrainingRun Start(TrainSettings settings, RegisteredNetwork network, string dataFolder);

    /// <summary>Saved weights on the first <paramref name="limit"/> test images (all when 0): average NLL loss, correct and count.</summary>
    (double Loss, long Correct, long Count) Evaluate(RegisteredNetwork network, IReadOnlyList<RegisteredNetwork> known, string weights,
        string dataFolder,
        int threads, int limit);
}

/// <summary>
/// One training run on a backend, driven by <see cref="Runs.TrainingLoop"/>: an epoch is <see cref="BeginEpoch"/>, then
/// <see cref="TrainBatch"/> until it returns false, with the schedule stepped where it expects (<see cref="AfterBatch"/>,
/// <see cref="AfterEpoch"/>), then the test pass and the files.
/// </summary>
internal interface ITrainingRun : IDisposable
{
    int BatchesPerEpoch { get; }

    long TestCount { get; }

    /// <summary>The optimizer's learning rate now: after an epoch's last batch, the one that epoch ended on.</summary>
    double LearningRate { get; }

    /// <summary>How long the remaining <paramref name="epochs"/> will take, said before they start; null when the backend cannot tell.</summary>
    string? Estimate(int epochs);

    /// <summary>
    /// Whether a stop inside an epoch can be kept: the epoch's batches are a function of (seed, epoch), so a checkpoint
    /// with a <see cref="MidEpoch"/> position continues bit-identically (the engine); else only whole epochs are kept
    /// (TorchSharp, whose shuffling, dropout and augmentation share one generator).
    /// </summary>
    bool ResumesInsideEpochs { get; }

    /// <summary>
    /// Draws epoch <paramref name="epoch"/>'s batches (order and augmentation are functions of the seed and the epoch, or
    /// of the restored generator) and skips the first <paramref name="skip"/> (a resume inside the epoch; 0 unless
    /// <see cref="ResumesInsideEpochs"/>).
    /// </summary>
    void BeginEpoch(int epoch, int skip);

    /// <summary>One training step on the epoch's next batch; false when the epoch has no batch left.</summary>
    bool TrainBatch(out BatchResult batch);

    /// <summary>The schedule's step after a batch (one-cycle steps here).</summary>
    void AfterBatch();

    /// <summary>The schedule's step after an epoch's test pass (step and plateau schedules step here).</summary>
    void AfterEpoch(double testLoss);

    /// <summary>The test pass in eval mode, on the weights a run reports (its weight average when it has one).</summary>
    (double Loss, long Correct) Evaluate();

    /// <summary>
    /// Everything <see cref="LoadCheckpoint"/> needs to continue after <paramref name="epoch"/>, in one file written
    /// atomically; with <paramref name="position"/>, that far into the next epoch.
    /// </summary>
    void SaveCheckpoint(string path, int epoch, MidEpoch? position = null);

    /// <summary>Restores a checkpoint of this network and optimizer; returns the epoch it ends.</summary>
    int LoadCheckpoint(string path);

    /// <summary>The first tensor of the state a checkpoint would save that holds NaN or infinity, with how many; null when all are finite.</summary>
    (string Tensor, long Count)? FirstNonFinite();

    /// <summary>The weights the test pass used, as the module's state dict, to each path (atomically).</summary>
    void SaveWeights(params string[] paths);
}

/// <summary>One training step's numbers: its mean loss, how many of its images the network got right, and how many it had.</summary>
internal readonly record struct BatchResult(double Loss, long Correct, int Count);
