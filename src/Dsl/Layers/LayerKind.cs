namespace Mnist.Dsl.Layers;

/// <summary>
/// The layer kinds, one name per <see cref="Layer"/> record. Code that does something different per kind switches
/// on <see cref="Layer.Kind"/> with a switch expression and no discard arm, so that a kind added here is a compile
/// error (CS8509) in every place that must learn it, instead of a silent fallback; the tests walk every value
/// through every such switch.
/// </summary>
public enum LayerKind
{
    Conv2d,
    BatchNorm2d,
    BatchNorm1d,
    ReLU,
    Dropout,
    Dropout2d,
    MaxPool2d,
    AvgPool2d,
    GlobalAvgPool2d,
    Flatten,
    Linear,
    LogSoftmax,
}
