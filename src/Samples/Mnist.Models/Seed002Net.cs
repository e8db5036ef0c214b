using Mnist.Dsl;

namespace Mnist.Models;

/// <summary>
/// Seed 002's network as far as its text goes: five 3×3 convolutions with padding 1 and 4, 8, 16, 24, 32
/// channels, each followed by batch normalisation; max pooling with dropout after it; global average pooling;
/// one fully connected layer to 10 classes. The text does not say where the two poolings sit, how much dropout,
/// or whether convolutions have biases: here pooling follows the second and fourth convolutions (28 → 14 → 7),
/// dropout is 0.1, ReLU follows each convolution and biases are PyTorch's default (on).
/// </summary>
[Network(1, 28, 28,
    Name = "seed002", Description = "seed 002's network (5 convs 4-8-16-24-32, BN, pooling with dropout, GAP, FC)")]
[Conv2d(4, 3, Padding = 1), ReLU, BatchNorm2d]
[Conv2d(8, 3, Padding = 1), ReLU, BatchNorm2d, MaxPool2d(2), Dropout(0.1)]
[Conv2d(16, 3, Padding = 1), ReLU, BatchNorm2d]
[Conv2d(24, 3, Padding = 1), ReLU, BatchNorm2d, MaxPool2d(2), Dropout(0.1)]
[Conv2d(32, 3, Padding = 1), ReLU, BatchNorm2d]
[GlobalAvgPool2d, Linear(10), LogSoftmax]
public partial class Seed002Net;
