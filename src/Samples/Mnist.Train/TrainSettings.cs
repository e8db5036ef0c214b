namespace Mnist.Train;

public enum OptimizerKind { Sgd, Adam }

public enum ScheduleKind { OneCycle, Step, Plateau, None }

/// <summary>Everything that decides a training run; with the same seed and threads, the same numbers.</summary>
internal sealed record TrainSettings(
    string Model,
    int Epochs,
    int BatchSize,
    OptimizerKind Optimizer,
    double LearningRate,
    ScheduleKind Schedule,
    bool Augment,
    long Seed,
    int Threads,
    string DataFolder);
